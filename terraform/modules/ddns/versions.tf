terraform {
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7"
      # The optional edge's WAF web ACL exists only in us-east-1 (modules/edge-rate-limit): the caller
      # passes a provider for that region, as it passes the default one; a module that configures no
      # provider can be called with count, for_each and depends_on.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
