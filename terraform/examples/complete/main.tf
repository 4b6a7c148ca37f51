# A complete deployment: a delegated subdomain zone, a custom domain for the API, SSE-KMS for the
# configuration bucket, and alarms by email. The module configures no provider; this configuration
# does, as any caller of modules/ddns must: one for `region`, one for us-east-1 (the optional edge's
# WAF, which this example leaves off, still needs the provider passed).

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

module "ddns" {
  source = "../../modules/ddns"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name      = var.name
  zone_name = var.zone_name

  lambda_package = var.lambda_package
  domain_name    = var.domain_name
  kms_key_arn    = var.kms_key_arn

  # The stage's throttling stays at its defaults, sized for the fleet: a lower limit lets one address
  # starve every router (terraform/README.md, "Throttling, and what abuse can cost").
  log_retention_days = 90

  alarm_email = var.alarm_email

  tags = {
    Project   = "route53-ddns"
    ManagedBy = "terraform"
  }
}
