# The providers of the deployed root; modules/ddns configures none, so that other configurations
# (examples/complete) can call it with their own.

variable "region" {
  description = "AWS region to deploy into. Null takes the region from the environment (AWS_REGION) or the AWS profile."
  type        = string
  default     = null

  validation {
    condition     = var.region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}


provider "aws" {
  region = var.region
}

# WAF web ACLs for CloudFront (the optional per-address limit) can only be created in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}
