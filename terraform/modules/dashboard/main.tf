locals {
  region = data.aws_region.current.id
  ns     = var.metrics_namespace
  # The function's own metrics, from the one catalogue the function builds its EMF from.
  decisions = keys(var.emf_catalogue.decisions)
  protocols = keys(var.emf_catalogue.protocols)

  # Decisions an operator reads together: what routers get, what is refused, what failed on our side.
  decision_groups = {
    "Updates: changed and unchanged"         = ["updated", "unchanged"]
    "Refused: credentials, policy and input" = [for d in local.decisions : d if contains(["badauth", "forbidden", "nohost", "abuse", "notfqdn", "numhost", "badrequest", "notfound"], d)]
    "Failed or throttled on our side"        = [for d in local.decisions : d if contains(["throttled", "unavailable", "dnserr", "error"], d)]
  }

  widgets = concat(
    [
      {
        type   = "text"
        x      = 0
        y      = 0
        width  = 24
        height = 2
        properties = {
          markdown = "## ${var.name}: dynamic DNS\nRow 1: what the function decided (namespace `${local.ns}`, from the request log lines). Row 2: per protocol. Row 3: Lambda and API Gateway's own metrics. Row 4: the change queue and the record writer. docs/operations.md explains each graph and alarm."
        }
      },
    ],
    [
      for index, title in keys(local.decision_groups) : {
        type   = "metric"
        x      = index * 8
        y      = 2
        width  = 8
        height = 6
        properties = {
          title   = title
          region  = local.region
          view    = "timeSeries"
          stacked = false
          period  = 300
          stat    = "Sum"
          metrics = [for d in local.decision_groups[title] : [local.ns, "requests", "decision", d, { label = d }]]
        }
      }
    ],
    [
      {
        type   = "metric"
        x      = 0
        y      = 8
        width  = 12
        height = 6
        properties = {
          title   = "Requests by protocol"
          region  = local.region
          view    = "timeSeries"
          stacked = true
          period  = 300
          stat    = "Sum"
          metrics = [for p in local.protocols : [local.ns, "requests", "protocol", p, { label = p }]]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 8
        width  = 12
        height = 6
        properties = {
          title  = "Latency by protocol (p50 and p99, ms)"
          region = local.region
          view   = "timeSeries"
          period = 300
          metrics = concat(
            [for p in local.protocols : [local.ns, "latencyMs", "protocol", p, { stat = "p50", label = "${p} p50" }]],
            [for p in local.protocols : [local.ns, "latencyMs", "protocol", p, { stat = "p99", label = "${p} p99" }]],
          )
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 14
        width  = 8
        height = 6
        properties = {
          title  = "Lambda: invocations, errors, throttles"
          region = local.region
          view   = "timeSeries"
          period = 300
          stat   = "Sum"
          metrics = [
            ["AWS/Lambda", "Invocations", "FunctionName", var.function_name],
            ["AWS/Lambda", "Errors", "FunctionName", var.function_name],
            ["AWS/Lambda", "Throttles", "FunctionName", var.function_name],
          ]
        }
      },
      {
        type   = "metric"
        x      = 8
        y      = 14
        width  = 8
        height = 6
        properties = {
          title  = "Lambda: duration (p99, ms) and concurrency"
          region = local.region
          view   = "timeSeries"
          period = 300
          metrics = [
            ["AWS/Lambda", "Duration", "FunctionName", var.function_name, { stat = "p99" }],
            ["AWS/Lambda", "ConcurrentExecutions", "FunctionName", var.function_name, { stat = "Maximum", yAxis = "right" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 16
        y      = 14
        width  = 8
        height = 6
        properties = {
          title  = "API Gateway: requests, 4xx, 5xx"
          region = local.region
          view   = "timeSeries"
          period = 300
          stat   = "Sum"
          metrics = [
            ["AWS/ApiGateway", "Count", "ApiId", var.api_id],
            ["AWS/ApiGateway", "4xx", "ApiId", var.api_id],
            ["AWS/ApiGateway", "5xx", "ApiId", var.api_id],
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 20
        width  = 8
        height = 6
        properties = {
          title  = "Change queue: waiting, in flight, dead letters"
          region = local.region
          view   = "timeSeries"
          period = 60
          stat   = "Maximum"
          metrics = [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.change_queue_name, { label = "waiting" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", var.change_queue_name, { label = "in flight" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.dead_letter_queue_name, { label = "dead letters" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 8
        y      = 20
        width  = 8
        height = 6
        properties = {
          title  = "Change queue: age of the oldest change (s)"
          region = local.region
          view   = "timeSeries"
          period = 60
          stat   = "Maximum"
          metrics = [
            ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.change_queue_name],
          ]
        }
      },
      {
        type   = "metric"
        x      = 16
        y      = 20
        width  = 8
        height = 6
        properties = {
          title  = "Record writer: invocations, errors, throttles"
          region = local.region
          view   = "timeSeries"
          period = 60
          stat   = "Sum"
          metrics = [
            ["AWS/Lambda", "Invocations", "FunctionName", var.writer_function_name],
            ["AWS/Lambda", "Errors", "FunctionName", var.writer_function_name],
            ["AWS/Lambda", "Throttles", "FunctionName", var.writer_function_name],
            ["AWS/SQS", "NumberOfMessagesSent", "QueueName", var.change_queue_name, { yAxis = "right", label = "changes queued" }],
          ]
        }
      },
    ],
  )
}

data "aws_region" "current" {}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
