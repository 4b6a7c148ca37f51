# The root `terraform -chdir=terraform apply` deploys: the AWS providers (providers.tf) and the one
# module that holds the deployment (modules/ddns). Every input is the module's own, through the same
# variables.tf (a link to modules/ddns/variables.tf), passed on here one for one; every output is passed
# back (outputs.tf). test/terraform/run.sh checks that neither list misses a name.

module "ddns" {
  source = "./modules/ddns"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  zone_name                                 = var.zone_name
  create_zone                               = var.create_zone
  zone_id                                   = var.zone_id
  name                                      = var.name
  lambda_package                            = var.lambda_package
  runtime                                   = var.runtime
  architecture                              = var.architecture
  memory_size                               = var.memory_size
  timeout                                   = var.timeout
  reserved_concurrent_executions            = var.reserved_concurrent_executions
  log_retention_days                        = var.log_retention_days
  throttling_rate_limit                     = var.throttling_rate_limit
  throttling_burst_limit                    = var.throttling_burst_limit
  config_key                                = var.config_key
  config_cache_seconds                      = var.config_cache_seconds
  kms_key_arn                               = var.kms_key_arn
  enforce_secure_transport                  = var.enforce_secure_transport
  force_destroy                             = var.force_destroy
  domain_name                               = var.domain_name
  alarm_email                               = var.alarm_email
  alarm_sns_topic_arn                       = var.alarm_sns_topic_arn
  alarm_5xx_rate_percent                    = var.alarm_5xx_rate_percent
  alarm_failed_auth_threshold               = var.alarm_failed_auth_threshold
  alarm_throttling_threshold                = var.alarm_throttling_threshold
  change_events                             = var.change_events
  notify_emails                             = var.notify_emails
  notify_webhook_url                        = var.notify_webhook_url
  notify_webhook_header_value               = var.notify_webhook_header_value
  quiet_host_check_minutes                  = var.quiet_host_check_minutes
  dashboard                                 = var.dashboard
  tags                                      = var.tags
  config_noncurrent_version_expiration_days = var.config_noncurrent_version_expiration_days
  state_lifecycle_rules                     = var.state_lifecycle_rules
  state_share_expiration_days               = var.state_share_expiration_days
  per_address_rate_limit                    = var.per_address_rate_limit
  per_address_rate_window_seconds           = var.per_address_rate_window_seconds
  writer_batch_size                         = var.writer_batch_size
  writer_batching_window_seconds            = var.writer_batching_window_seconds
  writer_maximum_concurrency                = var.writer_maximum_concurrency
  writer_changes_per_second                 = var.writer_changes_per_second
  writer_timeout                            = var.writer_timeout
  writer_memory_size                        = var.writer_memory_size
  change_queue_max_receive_count            = var.change_queue_max_receive_count
  alarm_change_age_seconds                  = var.alarm_change_age_seconds
  allow_apex_certificates                   = var.allow_apex_certificates
}

# Deployments made before the body moved into modules/ddns keep their resources: each address below
# moved one module down (test/terraform/state-moves.sh plans such a state against this code).
moved {
  from = module.zone
  to   = module.ddns.module.zone
}

moved {
  from = module.config_bucket
  to   = module.ddns.module.config_bucket
}

moved {
  from = module.change_queue
  to   = module.ddns.module.change_queue
}

moved {
  from = module.state_bucket
  to   = module.ddns.module.state_bucket
}

moved {
  from = module.function
  to   = module.ddns.module.function
}

moved {
  from = module.record_writer
  to   = module.ddns.module.record_writer
}

moved {
  from = module.notifications
  to   = module.ddns.module.notifications
}

moved {
  from = module.quiet_hosts
  to   = module.ddns.module.quiet_hosts
}

moved {
  from = module.dashboard
  to   = module.ddns.module.dashboard
}

moved {
  from = module.http_api
  to   = module.ddns.module.http_api
}

moved {
  from = module.edge
  to   = module.ddns.module.edge
}

moved {
  from = module.alarms
  to   = module.ddns.module.alarms
}

moved {
  from = terraform_data.edge_secret
  to   = module.ddns.terraform_data.edge_secret
}
