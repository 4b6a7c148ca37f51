# The deployment's observability wiring (modules/ddns): change events and notifications only when asked for, the
# function allowed to publish on its own bus and nowhere else, its metrics namespace, the dashboard,
# and the alarms notifying the change topic when they have none of their own.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

# The us-east-1 provider the optional edge's WAF needs (modules/edge-rate-limit).
mock_provider "aws" {
  alias           = "us_east_1"
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  zone_name      = "dyn.example.com"
  region         = "us-east-1"
  lambda_package = "tests/fixtures/lambda.zip"
}

run "defaults_have_no_events_but_a_dashboard" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  assert {
    condition = (
      length(module.notifications) == 0 && output.event_bus_name == null &&
      !contains(keys(module.function.environment), "DDNS_EVENT_BUS")
    )
    error_message = "Without notifications or change_events there must be no bus and no DDNS_EVENT_BUS."
  }

  assert {
    condition     = alltrue([for s in concat(jsondecode(module.function.policy_json).Statement, jsondecode(module.record_writer.policy_json).Statement) : !strcontains(jsonencode(s.Action), "events:")])
    error_message = "Without a bus neither the function nor the writer may publish events anywhere."
  }

  assert {
    condition = (
      module.function.environment.DDNS_METRICS_NAMESPACE == "route53-ddns/ddns" &&
      output.metrics_namespace == "route53-ddns/ddns" &&
      output.dashboard_name == "ddns" && length(module.alarms) == 0
    )
    error_message = "The function's metrics namespace and the dashboard must be on by default, alarms off."
  }
}

run "notify_emails" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    notify_emails = ["ops@example.com"]
  }

  assert {
    condition = (
      length(module.notifications) == 1 &&
      module.function.environment.DDNS_EVENT_BUS == "ddns-events" && output.event_bus_name == "ddns-events" &&
      output.notification_sns_topic_arn != null
    )
    error_message = "notify_emails must create the bus and topic and tell the function the bus."
  }

  assert {
    condition = (
      [for s in jsondecode(module.function.policy_json).Statement : s if strcontains(jsonencode(s.Action), "events:")] == [] &&
      [for s in jsondecode(module.record_writer.policy_json).Statement : s.Resource if strcontains(jsonencode(s.Action), "events:")] == [["arn:aws:events:us-east-1:123456789012:event-bus/ddns-events"]] &&
      module.record_writer.environment.DDNS_EVENT_BUS == "ddns-events"
    )
    error_message = "Only the record writer may events:PutEvents, on the deployment's bus only."
  }

  assert {
    condition     = length(module.alarms) == 1 && output.alarm_sns_topic_arn == output.notification_sns_topic_arn
    error_message = "Without an alarm topic of their own, the alarms must notify the change topic."
  }
}

run "webhook_only" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    notify_webhook_url          = "https://hooks.example.com/ddns"
    notify_webhook_header_value = "0123456789abcdef"
  }

  assert {
    condition = (
      length(module.notifications) == 1 && module.notifications[0].webhook_api_destination_arn != null &&
      output.notification_sns_topic_arn == null && length(module.alarms) == 0
    )
    error_message = "A webhook alone must create the API destination, no topic and no alarms."
  }
}

run "change_events_only" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    change_events = true
    dashboard     = false
  }

  assert {
    condition = (
      module.function.environment.DDNS_EVENT_BUS == "ddns-events" &&
      module.notifications[0].sns_topic_arn == null && module.notifications[0].webhook_api_destination_arn == null &&
      output.dashboard_name == null
    )
    error_message = "change_events alone must create the bus for your own rules, nothing else; dashboard = false none."
  }
}

run "alarm_topic_of_their_own_wins" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    notify_emails       = ["ops@example.com"]
    alarm_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:pager"
  }

  assert {
    condition     = output.alarm_sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:pager"
    error_message = "alarm_sns_topic_arn must be used for the alarms even with notifications on."
  }
}

run "refuses_invalid_notification_settings" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    notify_emails              = ["not-an-address"]
    notify_webhook_url         = "http://hooks.example.com/ddns"
    alarm_throttling_threshold = 0
  }

  expect_failures = [
    var.notify_emails,
    var.notify_webhook_url,
    var.alarm_throttling_threshold,
  ]
}

run "webhook_needs_its_secret" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    notify_webhook_url = "https://hooks.example.com/ddns"
  }

  expect_failures = [output.event_bus_name]
}

run "webhook_secret_too_short" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    notify_webhook_url          = "https://hooks.example.com/ddns"
    notify_webhook_header_value = "route53-ddns"
  }

  expect_failures = [var.notify_webhook_header_value]
}
