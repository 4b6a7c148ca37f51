locals {
  create_topic  = var.sns_topic_arn == null
  sns_topic_arn = local.create_topic ? aws_sns_topic.this[0].arn : var.sns_topic_arn
}

# Not encrypted with the AWS-managed SNS key: CloudWatch alarms cannot publish to a topic encrypted with it,
# and alarm notifications carry no secrets.
resource "aws_sns_topic" "this" {
  count = local.create_topic ? 1 : 0

  name = "${var.name}-alarms"

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  count = var.email == null ? 0 : 1

  topic_arn = local.sns_topic_arn
  protocol  = "email"
  endpoint  = var.email
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  alarm_name        = "${var.name}-function-errors"
  alarm_description = "The ddns function failed (unhandled error or timeout) in the last 5 minutes. Check first: the function's log group ${var.function_log_group_name} for lines with \"level\":\"error\" (the function's) or \"ERROR\" (the runtime's: unhandled errors, timeouts), then whether the configuration object in S3 still parses (download it, then `npx ddns config validate FILE`)."

  namespace   = "AWS/Lambda"
  metric_name = "Errors"
  dimensions = {
    FunctionName = var.function_name
  }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = [local.sns_topic_arn]
  ok_actions    = [local.sns_topic_arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_5xx_rate" {
  alarm_name        = "${var.name}-api-5xx-rate"
  alarm_description = "More than ${var.api_5xx_rate_threshold_percent}% of API requests got a 5xx for 10 minutes: routers are not being updated. Check first: the function's log group ${var.function_log_group_name} for \"status\":5xx lines (503 = configuration unreadable, 502 = Route 53 update failed), then the Lambda Throttles metric and the Route 53 service health."

  metric_query {
    id          = "rate"
    expression  = "100 * errors / requests"
    label       = "5xx responses (%)"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "5xx"
      dimensions  = { ApiId = var.api_id }
      stat        = "Sum"
      period      = 300
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "Count"
      dimensions  = { ApiId = var.api_id }
      stat        = "Sum"
      period      = 300
    }
  }

  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.api_5xx_rate_threshold_percent
  treat_missing_data  = "notBreaching"

  alarm_actions = [local.sns_topic_arn]
  ok_actions    = [local.sns_topic_arn]

  tags = var.tags
}

# From the EMF in the function's request log lines (src/metrics/emf.ts, terraform/emf-metrics.json):
# `requests` counted per `decision`.
resource "aws_cloudwatch_metric_alarm" "failed_authentications" {
  alarm_name        = "${var.name}-failed-authentications"
  alarm_description = "At least ${var.failed_authentication_threshold} failed authentications in 5 minutes: someone may be guessing secrets, or a router kept an old one. Check first: log lines with \"decision\":\"badauth\" in ${var.function_log_group_name} (fields hostname, reason and sourceIp; `npx ddns host list --status` shows which hosts stopped updating); rotate the host's secret (`npx ddns host rotate`) if the source is not the host's own router."

  namespace   = var.metrics_namespace
  metric_name = "requests"
  dimensions = {
    decision = "badauth"
  }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.failed_authentication_threshold
  treat_missing_data  = "notBreaching"

  alarm_actions = [local.sns_topic_arn]
  ok_actions    = [local.sns_topic_arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "throttling" {
  alarm_name        = "${var.name}-throttling"
  alarm_description = "Requests were turned away for lack of capacity in 5 minutes: Lambda throttled invocations (concurrency limit) or Route 53 throttled the function's updates (answered 429/911 with Retry-After). Check first: the dashboard's \"Lambda: invocations, errors, throttles\" graph (Lambda) and \"Failed or throttled on our side\" (Route 53); for Route 53, whether another tool in the account writes records at the same time."

  metric_query {
    id          = "throttled"
    expression  = "FILL(lambda, 0) + FILL(route53, 0)"
    label       = "Throttled requests"
    return_data = true
  }

  metric_query {
    id = "lambda"
    metric {
      namespace   = "AWS/Lambda"
      metric_name = "Throttles"
      dimensions  = { FunctionName = var.function_name }
      stat        = "Sum"
      period      = 300
    }
  }

  metric_query {
    id = "route53"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "requests"
      dimensions  = { decision = "throttled" }
      stat        = "Sum"
      period      = 300
    }
  }

  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.throttling_threshold
  treat_missing_data  = "notBreaching"

  alarm_actions = [local.sns_topic_arn]
  ok_actions    = [local.sns_topic_arn]

  tags = var.tags
}

# AWS/SQS metrics of the change queue (modules/change-queue) and the record writer's own errors.
resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name        = "${var.name}-change-dead-letters"
  alarm_description = "Record changes failed every delivery and wait in the dead-letter queue ${var.dead_letter_queue_name}: their routers' records may be wrong until the next check. Check first: the writer's log group /aws/lambda/${var.writer_function_name} for \"level\":\"error\" lines (Route 53 refused or throttled the write), `npx ddns queue status`; once the cause is gone, `npx ddns queue replay` sends them back."

  namespace   = "AWS/SQS"
  metric_name = "ApproximateNumberOfMessagesVisible"
  dimensions = {
    QueueName = var.dead_letter_queue_name
  }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = [local.sns_topic_arn]
  ok_actions    = [local.sns_topic_arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "change_age" {
  alarm_name        = "${var.name}-change-queue-age"
  alarm_description = "The oldest queued record change is older than ${var.change_age_threshold_seconds} s: the record writer is not keeping up or cannot write, so routers were told `good` but their records lag. Check first: the dashboard's \"Change queue\" graphs, the writer's Throttles and Errors, Route 53's service health; `npx ddns queue status` shows depth and age."

  namespace   = "AWS/SQS"
  metric_name = "ApproximateAgeOfOldestMessage"
  dimensions = {
    QueueName = var.change_queue_name
  }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.change_age_threshold_seconds
  treat_missing_data  = "notBreaching"

  alarm_actions = [local.sns_topic_arn]
  ok_actions    = [local.sns_topic_arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "writer_errors" {
  alarm_name        = "${var.name}-writer-errors"
  alarm_description = "The record writer failed (unhandled error or timeout) in the last 5 minutes; its batch comes back after the visibility timeout. Check first: the writer's log group /aws/lambda/${var.writer_function_name}."

  namespace   = "AWS/Lambda"
  metric_name = "Errors"
  dimensions = {
    FunctionName = var.writer_function_name
  }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = [local.sns_topic_arn]
  ok_actions    = [local.sns_topic_arn]

  tags = var.tags
}
