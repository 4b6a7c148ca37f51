# The module's outputs, unchanged (modules/ddns/outputs.tf says how each is made).

output "api_url" {
  description = "Base URL routers and clients call, ending in `/`: the CloudFront URL with a per-address limit, else the custom domain when one is set, else the execute-api URL."
  value       = module.ddns.api_url
}

output "state_bucket" {
  description = "Name of the bucket of the writer's applied marks (modules/state-bucket)."
  value       = module.ddns.state_bucket
}

output "share_table" {
  description = "Name of the DynamoDB table of fair-share counts (modules/share-table, `DDNS_SHARE_TABLE`)."
  value       = module.ddns.share_table
}

output "config_bucket" {
  description = "Name of the private bucket holding the configuration object (`DDNS_CONFIG_BUCKET`, `ddns --bucket`)."
  value       = module.ddns.config_bucket
}

output "config_key" {
  description = "Key of the configuration object in that bucket (`DDNS_CONFIG_KEY`)."
  value       = module.ddns.config_key
}

output "change_queue_url" {
  description = "URL of the change queue the request function sends wanted record changes to (`DDNS_CHANGE_QUEUE_URL`, `ddns queue --queue-url`)."
  value       = module.ddns.change_queue_url
}

output "change_dlq_url" {
  description = "URL of the change queue's dead-letter queue (`ddns queue --dlq-url`): changes that failed every delivery."
  value       = module.ddns.change_dlq_url
}

output "writer_function_name" {
  description = "Name of the record writer (`writer.handler`), the only function that changes records."
  value       = module.ddns.writer_function_name
}

output "writer_environment" {
  description = "Environment variables of the record writer, for running writer.mjs locally (the local stack's poller)."
  value       = module.ddns.writer_environment
}

output "zone_id" {
  description = "ID of the hosted zone holding the dynamic records (`route_53_zone_id` in the configuration)."
  value       = module.ddns.zone_id
}

output "name_servers" {
  description = "Name servers of the hosted zone: create NS records with these values for `zone_name` in the parent zone to delegate it."
  value       = module.ddns.name_servers
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.ddns.function_name
}

output "function_environment" {
  description = "Environment variables of the function, for running the same bundle locally (src/local)."
  value       = module.ddns.function_environment
}

output "function_log_group_name" {
  description = "Log group of the function's JSON log lines (one per request)."
  value       = module.ddns.function_log_group_name
}

output "alarm_sns_topic_arn" {
  description = "ARN of the SNS topic the alarms notify, or null when alarms are off."
  value       = module.ddns.alarm_sns_topic_arn
}

output "event_bus_name" {
  description = "EventBridge bus the record writer announces record changes on (`DDNS_EVENT_BUS`), or null when change events are off."
  value       = module.ddns.event_bus_name
}

output "notification_sns_topic_arn" {
  description = "ARN of the SNS topic that emails record changes (`notify_emails`), or null."
  value       = module.ddns.notification_sns_topic_arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard, or null when `dashboard` is false."
  value       = module.ddns.dashboard_name
}

output "metrics_namespace" {
  description = "CloudWatch namespace of the function's metrics (`DDNS_METRICS_NAMESPACE`)."
  value       = module.ddns.metrics_namespace
}

output "quiet_host_check_function_name" {
  description = "Name of the quiet-host check's function (`quiet_host_check_minutes`), or null without it."
  value       = module.ddns.quiet_host_check_function_name
}
