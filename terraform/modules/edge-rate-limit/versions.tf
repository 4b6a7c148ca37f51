terraform {
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7"
      # WAF web ACLs for CloudFront exist only in us-east-1: the caller passes a provider for that region.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
