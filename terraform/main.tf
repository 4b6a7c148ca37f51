provider "aws" {
  region = var.region
}

locals {
  lambda_package = abspath(coalesce(var.lambda_package, "${path.module}/../dist/lambda.zip"))
  alarms_enabled = var.alarm_email != null || var.alarm_sns_topic_arn != null
}

module "zone" {
  source = "./modules/dns-zone"

  name          = var.zone_name
  create        = var.create_zone
  zone_id       = var.zone_id
  force_destroy = var.force_destroy

  tags = var.tags
}

module "config_bucket" {
  source = "./modules/config-bucket"

  name                     = "${var.name}-config"
  kms_key_arn              = var.kms_key_arn
  enforce_secure_transport = var.enforce_secure_transport
  force_destroy            = var.force_destroy

  tags = var.tags
}

module "function" {
  source = "./modules/function"

  name                           = var.name
  package_path                   = local.lambda_package
  runtime                        = var.runtime
  architecture                   = var.architecture
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions
  log_retention_days             = var.log_retention_days

  config_bucket        = module.config_bucket.bucket
  config_bucket_arn    = module.config_bucket.bucket_arn
  config_key           = var.config_key
  config_cache_seconds = var.config_cache_seconds
  kms_key_arn          = var.kms_key_arn

  zone_arn     = module.zone.zone_arn
  zone_name    = module.zone.name
  name_servers = module.zone.name_servers

  tags = var.tags
}

module "http_api" {
  source = "./modules/http-api"

  name                   = var.name
  function_name          = module.function.function_name
  function_invoke_arn    = module.function.invoke_arn
  throttling_rate_limit  = var.throttling_rate_limit
  throttling_burst_limit = var.throttling_burst_limit
  log_retention_days     = var.log_retention_days

  domain_name = var.domain_name
  zone_id     = module.zone.zone_id
  zone_name   = module.zone.name

  tags = var.tags
}

module "alarms" {
  source = "./modules/alarms"
  count  = local.alarms_enabled ? 1 : 0

  name                            = var.name
  email                           = var.alarm_email
  sns_topic_arn                   = var.alarm_sns_topic_arn
  function_name                   = module.function.function_name
  function_log_group_name         = module.function.log_group_name
  api_id                          = module.http_api.api_id
  api_5xx_rate_threshold_percent  = var.alarm_5xx_rate_percent
  failed_authentication_threshold = var.alarm_failed_auth_threshold

  tags = var.tags
}
