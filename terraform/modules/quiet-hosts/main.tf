locals {
  function_name = "${var.name}-quiet-hosts"

  # The role's statements after modules/lambda-function's WriteOwnLogs. Written as data, not
  # aws_iam_policy_document, so tests can read them with a mocked provider.
  policy_statements = concat(
    [
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

  # What src/jobs/quiet-hosts.ts expects from its rule.
  schedule_input = jsonencode({ ddns = "quiet-hosts", everyMinutes = var.every_minutes, logGroup = var.request_log_group_name })
}

# The same package as the request function, another entry point: jobs.mjs (src/jobs/handler.ts). The
# role, its policy, the log group and the function: modules/lambda-function, as for the request function.
module "lambda" {
  source = "../lambda-function"

  name             = local.function_name
  description      = "Announces hosts that stopped checking in (route53-ddns)."
  role_description = "Runs the ${var.name} quiet-host check."

  package_path = var.package_path
  handler      = "jobs.handler"
  runtime      = var.runtime
  architecture = var.architecture
  memory_size  = 128
  # The Logs Insights query may take a while on a big log group; the job waits up to 20 s for it.
  timeout = 30

  environment             = var.environment
  assume_role_policy_json = var.assume_role_policy_json
  policy_statements       = local.policy_statements
  log_retention_days      = var.log_retention_days

  tags = var.tags
}

# These resources lived in this module before modules/lambda-function held them: the moves keep a
# deployed function (and its role and log group) in place instead of destroying and recreating it.
moved {
  from = aws_iam_role.this
  to   = module.lambda.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.this
  to   = module.lambda.aws_iam_role_policy.this
}

moved {
  from = aws_cloudwatch_log_group.this
  to   = module.lambda.aws_cloudwatch_log_group.this
}

moved {
  from = aws_lambda_function.this
  to   = module.lambda.aws_lambda_function.this
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
  arn   = module.lambda.function_arn
  input = local.schedule_input
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowQuietHostSchedule"
  action        = "lambda:InvokeFunction"
  function_name = module.lambda.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule.arn
}
