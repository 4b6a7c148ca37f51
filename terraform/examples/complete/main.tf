# A complete deployment: a delegated subdomain zone, a custom domain for the API, SSE-KMS for the
# configuration bucket, and alarms by email. The module configures the AWS provider from `region`.

module "ddns" {
  source = "../.."

  name      = var.name
  region    = var.region
  zone_name = var.zone_name

  lambda_package = var.lambda_package
  domain_name    = var.domain_name
  kms_key_arn    = var.kms_key_arn

  throttling_rate_limit  = 5
  throttling_burst_limit = 10
  log_retention_days     = 90

  alarm_email = var.alarm_email

  tags = {
    Project   = "route53-ddns"
    ManagedBy = "terraform"
  }
}
