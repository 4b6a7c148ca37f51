locals {
  notify_by_email   = length(var.emails) > 0
  notify_by_webhook = var.webhook_url != null
  notify            = local.notify_by_email || local.notify_by_webhook

  # What the function publishes (src/events/eventbridge.ts).
  change_pattern = jsonencode({ source = ["route53-ddns"], "detail-type" = ["DNS record changed"] })
  # What the scheduled quiet-host check publishes (src/jobs/quiet-hosts.ts); none when it is off.
  quiet_pattern = jsonencode({ source = ["route53-ddns"], "detail-type" = ["Host went quiet"] })
}

# A bus of its own: the function may publish here and nowhere else, and rules on it see only its events.
resource "aws_cloudwatch_event_bus" "this" {
  name = "${var.name}-events"

  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "changes" {
  count = local.notify ? 1 : 0

  name           = "${var.name}-record-changed"
  description    = "Every DNS record the ${var.name} function changes, to the notification targets."
  event_bus_name = aws_cloudwatch_event_bus.this.name
  event_pattern  = local.change_pattern

  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "quiet" {
  count = local.notify ? 1 : 0

  name           = "${var.name}-host-went-quiet"
  description    = "Hosts of ${var.name} that stopped checking in (quiet_host_check_minutes), to the notification targets."
  event_bus_name = aws_cloudwatch_event_bus.this.name
  event_pattern  = local.quiet_pattern

  tags = var.tags
}

# Email: one topic, one subscription per address (each confirms a link AWS sends first).
resource "aws_sns_topic" "this" {
  count = local.notify_by_email ? 1 : 0

  name = "${var.name}-notifications"

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.emails)

  topic_arn = aws_sns_topic.this[0].arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic_policy" "this" {
  count = local.notify_by_email ? 1 : 0

  arn = aws_sns_topic.this[0].arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EventBridgeRulesOfThisDeployment"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.this[0].arn
        Condition = { ArnEquals = { "aws:SourceArn" = concat(aws_cloudwatch_event_rule.changes[*].arn, aws_cloudwatch_event_rule.quiet[*].arn) } }
      },
      {
        Sid       = "CloudWatchAlarmsOfThisAccount"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.this[0].arn
        Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
      },
    ]
  })
}

data "aws_caller_identity" "current" {}

# A sentence for people instead of the raw event.
resource "aws_cloudwatch_event_target" "email" {
  count = local.notify_by_email ? 1 : 0

  rule           = aws_cloudwatch_event_rule.changes[0].name
  event_bus_name = aws_cloudwatch_event_bus.this.name
  target_id      = "email"
  arn            = aws_sns_topic.this[0].arn

  input_transformer {
    input_paths = {
      time      = "$.time"
      hostname  = "$.detail.hostname"
      type      = "$.detail.type"
      previous  = "$.detail.previous"
      current   = "$.detail.current"
      protocol  = "$.detail.protocol"
      source_ip = "$.detail.sourceIp"
    }
    input_template = "\"<time>: <hostname> <type> changed from <previous> to <current> (<protocol> request from <source_ip>).\""
  }
}

resource "aws_cloudwatch_event_target" "quiet_email" {
  count = local.notify_by_email ? 1 : 0

  rule           = aws_cloudwatch_event_rule.quiet[0].name
  event_bus_name = aws_cloudwatch_event_bus.this.name
  target_id      = "email"
  arn            = aws_sns_topic.this[0].arn

  input_transformer {
    input_paths = {
      time          = "$.time"
      hostname      = "$.detail.hostname"
      last_check_in = "$.detail.lastCheckIn"
      minutes       = "$.detail.expectCheckInMinutes"
    }
    input_template = "\"<time>: <hostname> has not checked in since <last_check_in> (it is expected every <minutes> minutes).\""
  }
}

# Webhook: the whole event as JSON, POSTed through an API destination.
resource "aws_cloudwatch_event_connection" "webhook" {
  count = local.notify_by_webhook ? 1 : 0

  name               = "${var.name}-webhook"
  description        = "Credentials the ${var.name} change webhook is called with."
  authorization_type = "API_KEY"

  auth_parameters {
    api_key {
      key   = var.webhook_header_name
      value = var.webhook_header_value
    }
  }

  lifecycle {
    precondition {
      condition     = var.webhook_header_value != null && trimspace(coalesce(var.webhook_header_value, " ")) != ""
      error_message = "webhook_url needs webhook_header_value: the secret the receiver checks. There is no default."
    }
  }
}

resource "aws_cloudwatch_event_api_destination" "webhook" {
  count = local.notify_by_webhook ? 1 : 0

  name                             = "${var.name}-webhook"
  description                      = "Receives every DNS record change of ${var.name}, and its quiet-host notices."
  invocation_endpoint              = var.webhook_url
  http_method                      = "POST"
  invocation_rate_limit_per_second = var.webhook_rate_limit_per_second
  connection_arn                   = aws_cloudwatch_event_connection.webhook[0].arn
}

resource "aws_iam_role" "webhook" {
  count = local.notify_by_webhook ? 1 : 0

  name        = "${var.name}-webhook"
  description = "Lets EventBridge call the ${var.name} change webhook."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sts:AssumeRole"
      },
    ]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "webhook" {
  count = local.notify_by_webhook ? 1 : 0

  name = "invoke-webhook"
  role = aws_iam_role.webhook[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "InvokeThisWebhookOnly"
        Effect   = "Allow"
        Action   = ["events:InvokeApiDestination"]
        Resource = [aws_cloudwatch_event_api_destination.webhook[0].arn]
      },
    ]
  })
}

resource "aws_cloudwatch_event_target" "webhook" {
  count = local.notify_by_webhook ? 1 : 0

  rule           = aws_cloudwatch_event_rule.changes[0].name
  event_bus_name = aws_cloudwatch_event_bus.this.name
  target_id      = "webhook"
  arn            = aws_cloudwatch_event_api_destination.webhook[0].arn
  role_arn       = aws_iam_role.webhook[0].arn
}

resource "aws_cloudwatch_event_target" "quiet_webhook" {
  count = local.notify_by_webhook ? 1 : 0

  rule           = aws_cloudwatch_event_rule.quiet[0].name
  event_bus_name = aws_cloudwatch_event_bus.this.name
  target_id      = "webhook"
  arn            = aws_cloudwatch_event_api_destination.webhook[0].arn
  role_arn       = aws_iam_role.webhook[0].arn
}
