output "event_bus_name" {
  description = "Name of the bus the function publishes change events on (`DDNS_EVENT_BUS`)."
  value       = aws_cloudwatch_event_bus.this.name
}

output "event_bus_arn" {
  description = "ARN of that bus; the function's policy allows `events:PutEvents` on it alone."
  value       = aws_cloudwatch_event_bus.this.arn
}

output "sns_topic_arn" {
  description = "ARN of the topic that emails the changes, or null without `emails`. Alarms may use it too."
  value       = try(aws_sns_topic.this[0].arn, null)
}

output "webhook_api_destination_arn" {
  description = "ARN of the API destination that calls the webhook, or null without `webhook_url`."
  value       = try(aws_cloudwatch_event_api_destination.webhook[0].arn, null)
}
