# The alarms module: function errors, API 5xx rate, failed authentications and throttling, each
# telling the operator what to check first.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name                    = "ddns"
  function_name           = "ddns"
  function_log_group_name = "/aws/lambda/ddns"
  api_id                  = "a1b2c3d4e5"
  metrics_namespace       = "route53-ddns/ddns"
  writer_function_name    = "ddns-writer"
  change_queue_name       = "ddns-changes"
  dead_letter_queue_name  = "ddns-changes-dlq"
}

run "email_creates_topic_subscription_and_alarms" {
  command = plan

  module {
    source = "./modules/alarms"
  }

  variables {
    email = "ops@example.com"
  }

  assert {
    condition     = length(aws_sns_topic.this) == 1 && aws_sns_topic_subscription.email[0].protocol == "email" && aws_sns_topic_subscription.email[0].endpoint == "ops@example.com"
    error_message = "An email address must get a topic and an email subscription."
  }

  assert {
    condition = alltrue([
      for a in [aws_cloudwatch_metric_alarm.function_errors, aws_cloudwatch_metric_alarm.api_5xx_rate, aws_cloudwatch_metric_alarm.failed_authentications, aws_cloudwatch_metric_alarm.throttling] :
      a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:ddns-alarms"]) && strcontains(a.alarm_description, "Check first")
    ])
    error_message = "Every alarm must notify the topic and say what to check first."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.function_errors.namespace == "AWS/Lambda" &&
      aws_cloudwatch_metric_alarm.function_errors.metric_name == "Errors" &&
      aws_cloudwatch_metric_alarm.function_errors.dimensions == tomap({ FunctionName = "ddns" })
    )
    error_message = "The function error alarm must watch the function's Errors metric."
  }

  assert {
    condition = (
      one([for q in aws_cloudwatch_metric_alarm.api_5xx_rate.metric_query : q.expression if q.return_data == true]) == "100 * errors / requests" &&
      toset([for q in aws_cloudwatch_metric_alarm.api_5xx_rate.metric_query : one(q.metric).metric_name if length(q.metric) > 0]) == toset(["5xx", "Count"]) &&
      alltrue([for q in aws_cloudwatch_metric_alarm.api_5xx_rate.metric_query : one(q.metric).dimensions == tomap({ ApiId = "a1b2c3d4e5" }) if length(q.metric) > 0]) &&
      aws_cloudwatch_metric_alarm.api_5xx_rate.threshold == 5
    )
    error_message = "The API alarm must watch the 5xx share of the API's requests (5% by default)."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.failed_authentications.namespace == "route53-ddns/ddns" &&
      contains(keys(jsondecode(file("emf-metrics.json")).metrics), aws_cloudwatch_metric_alarm.failed_authentications.metric_name) &&
      aws_cloudwatch_metric_alarm.failed_authentications.dimensions == tomap({ decision = "badauth" }) &&
      contains(keys(jsondecode(file("emf-metrics.json")).decisions), "badauth") &&
      aws_cloudwatch_metric_alarm.failed_authentications.threshold == 20
    )
    error_message = "The failed-authentication alarm must watch the function's EMF requests with decision badauth (20 in 5 minutes by default)."
  }

  assert {
    condition = (
      toset([for q in aws_cloudwatch_metric_alarm.throttling.metric_query : "${one(q.metric).namespace}/${one(q.metric).metric_name}/${jsonencode(one(q.metric).dimensions)}" if length(q.metric) > 0]) ==
      toset(["AWS/Lambda/Throttles/{\"FunctionName\":\"ddns\"}", "route53-ddns/ddns/requests/{\"decision\":\"throttled\"}"]) &&
      contains(keys(jsondecode(file("emf-metrics.json")).decisions), "throttled") &&
      aws_cloudwatch_metric_alarm.throttling.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:ddns-alarms"])
    )
    error_message = "The throttling alarm must add Lambda's throttles to the function's throttled decisions and notify the topic."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.dead_letters.namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.dead_letters.metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.dead_letters.dimensions == tomap({ QueueName = "ddns-changes-dlq" }) &&
      aws_cloudwatch_metric_alarm.dead_letters.comparison_operator == "GreaterThanThreshold" && aws_cloudwatch_metric_alarm.dead_letters.threshold == 0 &&
      strcontains(aws_cloudwatch_metric_alarm.dead_letters.alarm_description, "ddns queue replay")
    )
    error_message = "One message in the dead-letter queue must fire an alarm that names `ddns queue replay`."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.change_age.metric_name == "ApproximateAgeOfOldestMessage" &&
      aws_cloudwatch_metric_alarm.change_age.dimensions == tomap({ QueueName = "ddns-changes" }) &&
      aws_cloudwatch_metric_alarm.change_age.threshold == 300 &&
      aws_cloudwatch_metric_alarm.writer_errors.dimensions == tomap({ FunctionName = "ddns-writer" })
    )
    error_message = "The change queue's oldest message (300 s by default) and the writer's errors must be watched."
  }

  assert {
    condition = alltrue([
      for a in [aws_cloudwatch_metric_alarm.dead_letters, aws_cloudwatch_metric_alarm.change_age, aws_cloudwatch_metric_alarm.writer_errors] :
      a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:ddns-alarms"]) && strcontains(a.alarm_description, "Check first")
    ])
    error_message = "The queue and writer alarms must notify the topic and say what to check first."
  }
}

run "existing_topic_is_used_as_is" {
  command = plan

  module {
    source = "./modules/alarms"
  }

  variables {
    sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:pager"
  }

  assert {
    condition     = length(aws_sns_topic.this) == 0 && length(aws_sns_topic_subscription.email) == 0
    error_message = "An existing topic must be used without creating a topic or a subscription."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.function_errors.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:pager"]) && output.sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:pager"
    error_message = "The alarms must notify the given topic."
  }
}
