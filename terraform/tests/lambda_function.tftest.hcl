# The lambda-function module: the role, inline policy, log group and function that the request function,
# the record writer and the quiet-host check share (each adds its own statements and settings).

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name                    = "ddns-example"
  description             = "An example function."
  role_description        = "Runs the example."
  handler                 = "example.handler"
  package_path            = "tests/fixtures/lambda.zip"
  runtime                 = "nodejs22.x"
  architecture            = "arm64"
  memory_size             = 256
  timeout                 = 20
  log_retention_days      = 14
  environment             = { DDNS_EXAMPLE = "1" }
  assume_role_policy_json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
  policy_statements = [
    { Sid = "ReadSomething", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::example/key"] },
    { Sid = "ListSomething", Effect = "Allow", Action = ["s3:ListBucket"], Resource = ["arn:aws:s3:::example"], Condition = { StringLike = { "s3:prefix" = ["key"] } } },
  ]
  tags = { project = "route53-ddns" }
}

run "function_role_and_log_group" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  override_resource {
    target          = aws_cloudwatch_log_group.this
    override_during = plan
    values          = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ddns-example" }
  }

  assert {
    condition = (
      aws_lambda_function.this.function_name == "ddns-example" &&
      aws_lambda_function.this.description == "An example function." &&
      aws_lambda_function.this.handler == "example.handler" &&
      aws_lambda_function.this.filename == "tests/fixtures/lambda.zip" &&
      aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/lambda.zip") &&
      aws_lambda_function.this.runtime == "nodejs22.x" &&
      aws_lambda_function.this.architectures == tolist(["arm64"]) &&
      aws_lambda_function.this.memory_size == 256 &&
      aws_lambda_function.this.timeout == 20 &&
      aws_lambda_function.this.reserved_concurrent_executions == null &&
      aws_lambda_function.this.environment[0].variables == tomap({ DDNS_EXAMPLE = "1" }) &&
      aws_lambda_function.this.tags == tomap({ project = "route53-ddns" })
    )
    error_message = "The function must take its name, package, handler, runtime, architecture, memory, timeout, environment and tags as given, and reserve no concurrency unless told."
  }

  assert {
    condition = (
      aws_lambda_function.this.logging_config[0].log_format == "JSON" &&
      aws_lambda_function.this.logging_config[0].log_group == aws_cloudwatch_log_group.this.name &&
      aws_lambda_function.this.logging_config[0].application_log_level == "INFO" &&
      aws_lambda_function.this.logging_config[0].system_log_level == "WARN"
    )
    error_message = "The function must log JSON (INFO and above, Lambda's own from WARN) into its own log group."
  }

  assert {
    condition = (
      aws_cloudwatch_log_group.this.name == "/aws/lambda/ddns-example" &&
      aws_cloudwatch_log_group.this.retention_in_days == 14 &&
      aws_cloudwatch_log_group.this.tags == tomap({ project = "route53-ddns" })
    )
    error_message = "The log group must be the function's own, with the given retention."
  }

  assert {
    condition = (
      aws_iam_role.this.name == "ddns-example" &&
      aws_iam_role.this.description == "Runs the example." &&
      aws_iam_role.this.assume_role_policy == var.assume_role_policy_json &&
      aws_lambda_function.this.role == aws_iam_role.this.arn &&
      aws_iam_role_policy.this.name == "least-privilege" &&
      aws_iam_role_policy.this.role == aws_iam_role.this.id
    )
    error_message = "Without role_name the role is named like the function, trusts as given, runs the function and holds the least-privilege policy."
  }

  # WriteOwnLogs first, on this function's log group only; then the given statements unchanged (a
  # statement without a Condition gets none).
  assert {
    condition = jsondecode(aws_iam_role_policy.this.policy) == {
      Version = "2012-10-17"
      Statement = [
        { Sid = "WriteOwnLogs", Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ddns-example:*"] },
        { Sid = "ReadSomething", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::example/key"] },
        { Sid = "ListSomething", Effect = "Allow", Action = ["s3:ListBucket"], Resource = ["arn:aws:s3:::example"], Condition = { StringLike = { "s3:prefix" = ["key"] } } },
      ]
    }
    error_message = "The policy must be WriteOwnLogs on the function's own log group, then exactly the given statements."
  }

  assert {
    condition = (
      output.policy_json == aws_iam_role_policy.this.policy &&
      output.environment == aws_lambda_function.this.environment[0].variables &&
      output.settings.handler == "example.handler" &&
      output.log_group_name == "/aws/lambda/ddns-example" &&
      output.log_retention_days == 14 &&
      output.role_name == "ddns-example" &&
      output.assume_role_policy_json == var.assume_role_policy_json
    )
    error_message = "The outputs must read back what is planned."
  }
}

run "role_name_and_reserved_concurrency" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    role_name                      = "ddns-example-function"
    reserved_concurrent_executions = 10
    architecture                   = "x86_64"
    policy_statements              = []
  }

  assert {
    condition     = aws_iam_role.this.name == "ddns-example-function" && aws_lambda_function.this.function_name == "ddns-example"
    error_message = "role_name must name the role, and only the role."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 10 && aws_lambda_function.this.architectures == tolist(["x86_64"])
    error_message = "Reserved concurrency and the architecture must pass through."
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this.policy).Statement : s.Sid] == ["WriteOwnLogs"]
    error_message = "Without statements of its own, the role may only write its logs."
  }
}

run "own_sid_is_refused" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    policy_statements = [{ Sid = "WriteOwnLogs", Effect = "Allow", Action = ["logs:*"], Resource = ["*"] }]
  }

  expect_failures = [var.policy_statements]
}

run "repeated_sid_is_refused" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    policy_statements = [
      { Sid = "ReadSomething", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::example/a"] },
      { Sid = "ReadSomething", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::example/b"] },
    ]
  }

  expect_failures = [var.policy_statements]
}

run "statement_without_resource_is_refused" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    policy_statements = [{ Sid = "ReadSomething", Effect = "Allow", Action = ["s3:GetObject"] }]
  }

  expect_failures = [var.policy_statements]
}

run "missing_package_is_refused" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    package_path = "tests/fixtures/no-such-lambda.zip"
  }

  expect_failures = [var.package_path]
}

run "unknown_architecture_is_refused" {
  command = plan

  module {
    source = "./modules/lambda-function"
  }

  variables {
    architecture = "arm"
  }

  expect_failures = [var.architecture]
}
