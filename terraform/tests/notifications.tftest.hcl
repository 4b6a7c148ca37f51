# The notifications module: a bus of its own always; email and webhook targets only when asked for,
# each with permissions that reach that one target.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name = "ddns"
}

run "bus_only" {
  command = plan

  module {
    source = "./modules/notifications"
  }

  assert {
    condition     = aws_cloudwatch_event_bus.this.name == "ddns-events" && output.event_bus_arn == "arn:aws:events:us-east-1:123456789012:event-bus/ddns-events"
    error_message = "The module must create the bus <name>-events."
  }

  assert {
    condition = (
      length(aws_cloudwatch_event_rule.changes) == 0 && length(aws_cloudwatch_event_rule.quiet) == 0 && length(aws_sns_topic.this) == 0 &&
      length(aws_cloudwatch_event_api_destination.webhook) == 0 && length(aws_iam_role.webhook) == 0 &&
      output.sns_topic_arn == null
    )
    error_message = "Without emails or a webhook there must be no rule, topic, destination or role."
  }
}

run "emails" {
  command = plan

  module {
    source = "./modules/notifications"
  }

  variables {
    emails = ["ops@example.com", "owner@example.org"]
  }

  assert {
    condition = (
      toset([for s in aws_sns_topic_subscription.email : s.endpoint]) == toset(["ops@example.com", "owner@example.org"]) &&
      alltrue([for s in aws_sns_topic_subscription.email : s.protocol == "email"])
    )
    error_message = "Every address must get an email subscription."
  }

  assert {
    condition = (
      jsondecode(aws_cloudwatch_event_rule.changes[0].event_pattern) == { source = ["route53-ddns"], "detail-type" = ["DNS record changed"] } &&
      aws_cloudwatch_event_rule.changes[0].event_bus_name == "ddns-events" &&
      aws_cloudwatch_event_target.email[0].arn == aws_sns_topic.this[0].arn
    )
    error_message = "A rule on the bus must match the function's change events and send them to the topic."
  }

  assert {
    condition = (
      jsondecode(aws_cloudwatch_event_rule.quiet[0].event_pattern) == { source = ["route53-ddns"], "detail-type" = ["Host went quiet"] } &&
      aws_cloudwatch_event_rule.quiet[0].event_bus_name == "ddns-events" &&
      aws_cloudwatch_event_target.quiet_email[0].arn == aws_sns_topic.this[0].arn &&
      strcontains(aws_cloudwatch_event_target.quiet_email[0].input_transformer[0].input_template, "has not checked in since")
    )
    error_message = "A second rule must send the quiet-host notices to the topic, as a sentence."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_sns_topic_policy.this[0].policy).Statement :
      s.Action == "sns:Publish" && s.Resource == aws_sns_topic.this[0].arn && length(keys(s.Condition)) == 1
    ])
    error_message = "The topic policy may only let this deployment's rule and the account's alarms publish."
  }

  assert {
    condition     = length(aws_cloudwatch_event_api_destination.webhook) == 0 && length(aws_iam_role.webhook) == 0
    error_message = "Emails alone must not create a webhook."
  }
}

run "webhook" {
  command = plan

  module {
    source = "./modules/notifications"
  }

  variables {
    webhook_url          = "https://hooks.example.com/ddns"
    webhook_header_value = "0123456789abcdef"
  }

  assert {
    condition = (
      aws_cloudwatch_event_api_destination.webhook[0].invocation_endpoint == "https://hooks.example.com/ddns" &&
      aws_cloudwatch_event_api_destination.webhook[0].http_method == "POST" &&
      aws_cloudwatch_event_target.webhook[0].arn == aws_cloudwatch_event_api_destination.webhook[0].arn &&
      aws_cloudwatch_event_target.quiet_webhook[0].arn == aws_cloudwatch_event_api_destination.webhook[0].arn
    )
    error_message = "The webhook must be an API destination POSTed to by the change rule and the quiet-host rule."
  }

  assert {
    condition = (
      jsondecode(aws_iam_role_policy.webhook[0].policy).Statement == [{
        Sid      = "InvokeThisWebhookOnly"
        Effect   = "Allow"
        Action   = ["events:InvokeApiDestination"]
        Resource = ["arn:aws:events:us-east-1:123456789012:api-destination/ddns-webhook/01234567-89ab-cdef-0123-456789abcdef"]
      }]
    )
    error_message = "The webhook role may invoke that one destination and nothing else."
  }

  assert {
    condition     = length(aws_sns_topic.this) == 0 && length(aws_sns_topic_subscription.email) == 0
    error_message = "A webhook alone must not create a topic."
  }
}

run "webhook_without_its_secret_is_refused" {
  command = plan

  module {
    source = "./modules/notifications"
  }

  variables {
    webhook_url = "https://hooks.example.com/ddns"
  }

  expect_failures = [aws_cloudwatch_event_connection.webhook]
}
