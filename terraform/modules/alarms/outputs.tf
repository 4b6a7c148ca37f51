output "sns_topic_arn" {
  description = "ARN of the topic the alarms notify."
  value       = local.sns_topic_arn
}

output "alarm_names" {
  description = "Names of the alarms, by what they watch."
  value = {
    function_errors        = aws_cloudwatch_metric_alarm.function_errors.alarm_name
    api_5xx_rate           = aws_cloudwatch_metric_alarm.api_5xx_rate.alarm_name
    failed_authentications = aws_cloudwatch_metric_alarm.failed_authentications.alarm_name
    throttling             = aws_cloudwatch_metric_alarm.throttling.alarm_name
  }
}
