locals {
  function_name = "${var.name}-quiet-hosts"

  # Written as data, not aws_iam_policy_document, so tests can read it with a mocked provider.
  policy = {
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "WriteOwnLogs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
        },
        {
          # The one query of each run, on the request function's log group and no other.
          Sid      = "QueryRequestLog"
          Effect   = "Allow"
          Action   = ["logs:StartQuery"]
          Resource = [var.request_log_group_arn, "${var.request_log_group_arn}:*"]
        },
        {
          # GetQueryResults and StopQuery take no resource in IAM: they only name a query id.
          Sid      = "ReadQueryResults"
          Effect   = "Allow"
          Action   = ["logs:GetQueryResults", "logs:StopQuery"]
          Resource = ["*"]
        },
        {
          Sid      = "PutQuietEventsOnOwnBus"
          Effect   = "Allow"
          Action   = ["events:PutEvents"]
          Resource = [var.event_bus_arn]
          # Its own kind of event only (src/jobs/quiet-hosts.ts), under the project's source. Both keys
          # hold one value per entry of the call (multivalued): every entry must match, and a call
          # without them is refused (ForAllValues alone would allow it).
          Condition = {
            "ForAllValues:StringEquals" = { "events:source" = ["route53-ddns"], "events:detail-type" = ["Host went quiet"] }
            Null                        = { "events:source" = "false", "events:detail-type" = "false" }
          }
        },
      ],
      # The config and its shards, and kms:Decrypt when the bucket has a key: as the request function has them.
      var.read_config_statements,
    )
  }

  # What src/jobs/quiet-hosts.ts expects from its rule.
  schedule_input = jsonencode({ ddns = "quiet-hosts", everyMinutes = var.every_minutes, logGroup = var.request_log_group_name })
}

resource "aws_iam_role" "this" {
  name               = local.function_name
  description        = "Runs the ${var.name} quiet-host check."
  assume_role_policy = var.assume_role_policy_json

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "least-privilege"
  role   = aws_iam_role.this.id
  policy = jsonencode(local.policy)
}

# Created before the function so that retention applies from the first log line.
resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

# The same package as the request function, another entry point: jobs.mjs (src/jobs/handler.ts).
resource "aws_lambda_function" "this" {
  function_name = local.function_name
  description   = "Announces hosts that stopped checking in (route53-ddns)."
  role          = aws_iam_role.this.arn

  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)
  handler          = "jobs.handler"
  runtime          = var.runtime
  architectures    = [var.architecture]
  memory_size      = 128
  # The Logs Insights query may take a while on a big log group; the job waits up to 20 s for it.
  timeout = 30

  environment {
    variables = var.environment
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = "INFO"
    system_log_level      = "WARN"
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.this]
}

# Schedules live on the default bus; the events the job puts go to the deployment's bus.
resource "aws_cloudwatch_event_rule" "schedule" {
  name                = local.function_name
  description         = "Runs the ${var.name} quiet-host check every ${var.every_minutes} minutes."
  schedule_expression = "rate(${var.every_minutes} minutes)"

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule  = aws_cloudwatch_event_rule.schedule.name
  arn   = aws_lambda_function.this.arn
  input = local.schedule_input
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowQuietHostSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule.arn
}
