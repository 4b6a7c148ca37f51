output "api_url" {
  description = "Base URL routers and clients call, ending in `/`: the CloudFront URL with a per-address limit, else the custom domain when one is set, else the execute-api URL."
  value       = local.edge_enabled ? module.edge[0].url : module.http_api.api_url
}

output "state_bucket" {
  description = "Name of the bucket of the writer's applied marks (modules/state-bucket)."
  value       = module.state_bucket.bucket
}

output "share_table" {
  description = "Name of the DynamoDB table of fair-share counts (modules/share-table, `DDNS_SHARE_TABLE`)."
  value       = module.share_table.table_name
}

output "config_bucket" {
  description = "Name of the private bucket holding the configuration object (`DDNS_CONFIG_BUCKET`, `ddns --bucket`)."
  value       = module.config_bucket.bucket
}

output "config_key" {
  description = "Key of the configuration object in that bucket (`DDNS_CONFIG_KEY`)."
  value       = var.config_key
}

output "change_queue_url" {
  description = "URL of the change queue the request function sends wanted record changes to (`DDNS_CHANGE_QUEUE_URL`, `ddns queue --queue-url`)."
  value       = module.change_queue.queue_url
}

output "change_dlq_url" {
  description = "URL of the change queue's dead-letter queue (`ddns queue --dlq-url`): changes that failed every delivery."
  value       = module.change_queue.dead_letter_queue_url
}

output "writer_function_name" {
  description = "Name of the record writer (`writer.handler`), the only function that changes records."
  value       = module.record_writer.function_name
}

output "writer_environment" {
  description = "Environment variables of the record writer, for running writer.mjs locally (the local stack's poller)."
  value       = module.record_writer.environment
}

output "zone_id" {
  description = "ID of the hosted zone holding the dynamic records (`route_53_zone_id` in the configuration)."
  value       = module.zone.zone_id
}

output "name_servers" {
  description = "Name servers of the hosted zone: create NS records with these values for `zone_name` in the parent zone to delegate it."
  value       = module.zone.name_servers
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.function.function_name
}

output "function_environment" {
  description = "Environment variables of the function, for running the same bundle locally (src/local)."
  value       = module.function.environment
}

output "function_log_group_name" {
  description = "Log group of the function's JSON log lines (one per request)."
  value       = module.function.log_group_name
}

output "alarm_sns_topic_arn" {
  description = "ARN of the SNS topic the alarms notify, or null when alarms are off."
  value       = try(module.alarms[0].sns_topic_arn, null)
}

output "event_bus_name" {
  description = "EventBridge bus the record writer announces record changes on (`DDNS_EVENT_BUS`), or null when change events are off."
  value       = try(module.notifications[0].event_bus_name, null)

  precondition {
    condition     = var.notify_webhook_url == null || var.notify_webhook_header_value != null
    error_message = "notify_webhook_url needs notify_webhook_header_value: the secret the webhook receiver checks (at least 16 characters, e.g. openssl rand -hex 16). There is no default."
  }
}

output "notification_sns_topic_arn" {
  description = "ARN of the SNS topic that emails record changes (`notify_emails`), or null."
  value       = try(module.notifications[0].sns_topic_arn, null)
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard, or null when `dashboard` is false."
  value       = try(module.dashboard[0].dashboard_name, null)
}

output "metrics_namespace" {
  description = "CloudWatch namespace of the function's metrics (`DDNS_METRICS_NAMESPACE`)."
  value       = local.metrics_namespace
}

output "quiet_host_check_function_name" {
  description = "Name of the quiet-host check's function (`quiet_host_check_minutes`), or null without it."
  value       = try(module.quiet_hosts[0].function_name, null)

  precondition {
    condition     = var.quiet_host_check_minutes == null || local.events_enabled
    error_message = "quiet_host_check_minutes announces quiet hosts on the deployment's event bus: set change_events = true (or notify_emails / notify_webhook_url) too."
  }
}
