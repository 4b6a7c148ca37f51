# The whole deployment as a module: the zone, the config and state buckets, the change queue, the
# request function, the record writer, the HTTP API, and the optional edge, notifications, quiet-host
# check, dashboard and alarms (docs/architecture.md, "Terraform"). It configures no provider: the
# caller does, terraform/ (the root `terraform -chdir=terraform apply` deploys) or a configuration of
# its own such as examples/complete.

locals {
  lambda_package = abspath(coalesce(var.lambda_package, "${path.module}/../../../dist/lambda.zip"))
  alarms_enabled = var.alarm_email != null || var.alarm_sns_topic_arn != null || length(var.notify_emails) > 0
  events_enabled = var.change_events || length(var.notify_emails) > 0 || var.notify_webhook_url != null

  # What the function's log lines carry as metrics (src/metrics/emf.ts reads the same file); one
  # namespace per deployment keeps two deployments in one account apart.
  emf_catalogue     = jsondecode(file("${path.module}/../../emf-metrics.json"))
  metrics_namespace = "${local.emf_catalogue.defaultNamespace}/${var.name}"

  # The alarms' own topic when asked for (alarm_sns_topic_arn, or a new one for alarm_email), else the
  # change-notification topic: whoever hears about changes hears about trouble.
  alarm_topic_arn = (
    var.alarm_sns_topic_arn != null ? var.alarm_sns_topic_arn :
    var.alarm_email != null ? null : try(module.notifications[0].sns_topic_arn, null)
  )
  edge_enabled = var.per_address_rate_limit != null
}

# The header CloudFront adds to every origin request and the function requires behind the edge.
# uuid() draws from a cryptographic source; ignore_changes keeps the first value for good.
resource "terraform_data" "edge_secret" {
  count = local.edge_enabled ? 1 : 0

  input = uuid()

  lifecycle {
    ignore_changes = [input]

    precondition {
      condition     = var.domain_name == null
      error_message = "per_address_rate_limit cannot be combined with domain_name yet: the custom domain points at API Gateway itself, so requests through it would bypass the edge (and be refused). Use the CloudFront URL (api_url), or drop the per-address limit."
    }
  }
}

module "zone" {
  source = "../dns-zone"

  name          = var.zone_name
  create        = var.create_zone
  zone_id       = var.zone_id
  force_destroy = var.force_destroy

  tags = var.tags
}

module "config_bucket" {
  source = "../config-bucket"

  name                               = "${var.name}-config"
  kms_key_arn                        = var.kms_key_arn
  noncurrent_version_expiration_days = var.config_noncurrent_version_expiration_days
  enforce_secure_transport           = var.enforce_secure_transport
  force_destroy                      = var.force_destroy

  tags = var.tags
}

# Between the request function, which decides, and the record writer, which alone writes Route 53.
module "change_queue" {
  source = "../change-queue"

  name                       = "${var.name}-changes"
  visibility_timeout_seconds = 6 * var.writer_timeout
  max_receive_count          = var.change_queue_max_receive_count
  enforce_secure_transport   = var.enforce_secure_transport

  tags = var.tags
}

# What the writer keeps between execution environments: the applied marks.
module "state_bucket" {
  source = "../state-bucket"

  name                     = "${var.name}-state"
  lifecycle_rules          = var.state_lifecycle_rules
  enforce_secure_transport = var.enforce_secure_transport

  tags = var.tags
}

# The request function's fair-share counts, one conditional update per queued change.
module "share_table" {
  source = "../share-table"

  name = "${var.name}-shares"

  tags = var.tags
}

module "function" {
  source = "../function"

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

  zone_arn        = module.zone.zone_arn
  zone_name       = module.zone.name
  name_servers    = module.zone.name_servers
  api_domain_name = var.domain_name
  edge_secret     = try(terraform_data.edge_secret[0].output, null)

  metrics_namespace = local.metrics_namespace
  event_bus_name    = try(module.notifications[0].event_bus_name, null)

  change_queue_url = module.change_queue.queue_url
  change_queue_arn = module.change_queue.queue_arn
  share_table      = module.share_table.table_name
  share_table_arn  = module.share_table.table_arn

  tags = var.tags
}

# The only part of the deployment that may change records: fed by the change queue, paced under
# Route 53's per-account rate.
module "record_writer" {
  source = "../record-writer"

  name               = var.name
  package_path       = local.lambda_package
  runtime            = var.runtime
  architecture       = var.architecture
  memory_size        = var.writer_memory_size
  timeout            = var.writer_timeout
  log_retention_days = var.log_retention_days

  # The request function's, but the queue's URL and the share table: the writer consumes the queue
  # and never sends to it, and keeps its own marks in the state bucket.
  environment = {
    for name, value in module.function.environment : name => value
    if !contains(["DDNS_CHANGE_QUEUE_URL", "DDNS_SHARE_TABLE"], name)
  }
  state_bucket     = module.state_bucket.bucket
  state_bucket_arn = module.state_bucket.bucket_arn
  mark_days        = module.state_bucket.mark_expiration_days

  zone_arn                = module.zone.zone_arn
  zone_name               = module.zone.name
  api_domain_name         = var.domain_name
  allow_apex_certificates = var.allow_apex_certificates

  queue_arn                          = module.change_queue.queue_arn
  queue_visibility_timeout_seconds   = 6 * var.writer_timeout
  batch_size                         = var.writer_batch_size
  maximum_batching_window_in_seconds = var.writer_batching_window_seconds
  maximum_concurrency                = var.writer_maximum_concurrency
  changes_per_second                 = var.writer_changes_per_second

  event_bus_arn           = try(module.notifications[0].event_bus_arn, null)
  read_config_statements  = module.function.read_config_statements
  assume_role_policy_json = module.function.assume_role_policy_json

  tags = var.tags
}

module "notifications" {
  source = "../notifications"
  count  = local.events_enabled ? 1 : 0

  name   = var.name
  emails = var.notify_emails
  # Without its secret there is no webhook: the event_bus_name output's precondition refuses the plan.
  webhook_url          = var.notify_webhook_header_value == null ? null : var.notify_webhook_url
  webhook_header_value = var.notify_webhook_header_value

  tags = var.tags
}

# The "host went quiet" notice: a scheduled job on the request function's log group and the bus.
module "quiet_hosts" {
  source = "../quiet-hosts"
  count  = var.quiet_host_check_minutes != null && local.events_enabled ? 1 : 0

  name               = var.name
  every_minutes      = var.quiet_host_check_minutes
  package_path       = local.lambda_package
  runtime            = var.runtime
  architecture       = var.architecture
  log_retention_days = var.log_retention_days

  # The request function's, but the change queue: the job changes no records (and its role may not queue any).
  environment = { for name, value in module.function.environment : name => value if name != "DDNS_CHANGE_QUEUE_URL" }

  request_log_group_name  = module.function.log_group_name
  request_log_group_arn   = module.function.log_group_arn
  read_config_statements  = module.function.read_config_statements
  assume_role_policy_json = module.function.assume_role_policy_json
  event_bus_arn           = module.notifications[0].event_bus_arn

  tags = var.tags
}

module "dashboard" {
  source = "../dashboard"
  count  = var.dashboard ? 1 : 0

  name              = var.name
  metrics_namespace = local.metrics_namespace
  emf_catalogue     = local.emf_catalogue
  function_name     = module.function.function_name
  api_id            = module.http_api.api_id

  writer_function_name   = module.record_writer.function_name
  change_queue_name      = module.change_queue.queue_name
  dead_letter_queue_name = module.change_queue.dead_letter_queue_name
}

module "http_api" {
  source = "../http-api"

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

module "edge" {
  source = "../edge-rate-limit"
  count  = local.edge_enabled ? 1 : 0

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name                      = var.name
  api_endpoint              = module.http_api.execute_api_url
  origin_secret             = terraform_data.edge_secret[0].output
  rate_limit                = var.per_address_rate_limit
  evaluation_window_seconds = var.per_address_rate_window_seconds

  tags = var.tags
}

module "alarms" {
  source = "../alarms"
  count  = local.alarms_enabled ? 1 : 0

  name                            = var.name
  email                           = var.alarm_email
  sns_topic_arn                   = local.alarm_topic_arn
  function_name                   = module.function.function_name
  function_log_group_name         = module.function.log_group_name
  api_id                          = module.http_api.api_id
  api_5xx_rate_threshold_percent  = var.alarm_5xx_rate_percent
  failed_authentication_threshold = var.alarm_failed_auth_threshold
  throttling_threshold            = var.alarm_throttling_threshold
  metrics_namespace               = local.metrics_namespace

  writer_function_name         = module.record_writer.function_name
  change_queue_name            = module.change_queue.queue_name
  dead_letter_queue_name       = module.change_queue.dead_letter_queue_name
  change_age_threshold_seconds = var.alarm_change_age_seconds

  tags = var.tags
}
