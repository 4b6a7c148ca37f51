locals {
  # Written as data, not aws_iam_policy_document, so tests can read it with a mocked provider. Every
  # function may write its own log lines, and only into its own log group: the callers add the rest.
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
      ],
      var.policy_statements,
    )
  }
}

resource "aws_iam_role" "this" {
  name               = coalesce(var.role_name, var.name)
  description        = var.role_description
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
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

resource "aws_lambda_function" "this" {
  function_name = var.name
  description   = var.description
  role          = aws_iam_role.this.arn

  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)
  handler          = var.handler
  runtime          = var.runtime
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout

  reserved_concurrent_executions = var.reserved_concurrent_executions

  environment {
    variables = var.environment
  }

  # Lambda's JSON log format (the metric filters and Logs Insights queries parse it), into the group above.
  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = "INFO"
    system_log_level      = "WARN"
  }

  tags = var.tags

  # The role's permissions must exist before the first invocation can use them.
  depends_on = [aws_iam_role_policy.this]
}
