# The optional quiet-host check (modules/ddns variable quiet_host_check_minutes): absent by default, a second
# function from the same package on a schedule when asked for, and a role that reaches the request
# function's log group, the config and the deployment's bus only.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

mock_provider "aws" {
  alias           = "us_east_1"
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  zone_name      = "dyn.example.com."
  region         = "us-east-1"
  lambda_package = "tests/fixtures/lambda.zip"
}

run "absent_by_default" {
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
  }

  assert {
    condition     = length(module.quiet_hosts) == 0 && output.quiet_host_check_function_name == null
    error_message = "Without quiet_host_check_minutes there must be no quiet-host check."
  }
}

run "present_when_asked" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    change_events            = true
    quiet_host_check_minutes = 15
    kms_key_arn              = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  # The mock gives every log group one ARN; tell the job's own from the request function's.
  override_resource {
    target          = module.quiet_hosts[0].module.lambda.aws_cloudwatch_log_group.this
    override_during = plan
    values          = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ddns-quiet-hosts" }
  }

  assert {
    condition = (
      output.quiet_host_check_function_name == "ddns-quiet-hosts" &&
      jsondecode(module.quiet_hosts[0].schedule_input) == { ddns = "quiet-hosts", everyMinutes = 15, logGroup = "/aws/lambda/ddns" }
    )
    error_message = "The job must be named after the deployment and be told its period and the request function's log group."
  }

  assert {
    condition = (
      { for s in jsondecode(module.quiet_hosts[0].policy_json).Statement : s.Sid => [s.Effect, s.Action, s.Resource] } == {
        WriteOwnLogs           = ["Allow", ["logs:CreateLogStream", "logs:PutLogEvents"], ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ddns-quiet-hosts:*"]]
        QueryRequestLog        = ["Allow", ["logs:StartQuery"], ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ddns", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ddns:*"]]
        ReadQueryResults       = ["Allow", ["logs:GetQueryResults", "logs:StopQuery"], ["*"]]
        ReadConfigObject       = ["Allow", ["s3:GetObject"], ["${module.config_bucket.bucket_arn}/config.json", "${module.config_bucket.bucket_arn}/config.json.d/*"]]
        PutQuietEventsOnOwnBus = ["Allow", ["events:PutEvents"], [module.notifications[0].event_bus_arn]]
        DecryptConfigObject    = ["Allow", ["kms:Decrypt"], ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]]
      }
    )
    error_message = "The job's role may query the request log, read the config, decrypt it and put events on the deployment's bus, and nothing else."
  }

  assert {
    condition = [for s in jsondecode(module.quiet_hosts[0].policy_json).Statement : s.Condition if s.Sid == "PutQuietEventsOnOwnBus"] == [
      {
        "ForAllValues:StringEquals" = { "events:source" = ["route53-ddns"], "events:detail-type" = ["Host went quiet"] }
        Null                        = { "events:source" = "false", "events:detail-type" = "false" }
      }
    ]
    error_message = "The job may put only route53-ddns \"Host went quiet\" events."
  }
}

# The module itself: the function, the schedule and the permission.
run "module_schedules_a_second_function_from_the_package" {
  command = plan

  module {
    source = "./modules/quiet-hosts"
  }

  variables {
    name                    = "ddns"
    every_minutes           = 15
    package_path            = "tests/fixtures/lambda.zip"
    environment             = { DDNS_CONFIG_BUCKET = "ddns-config", DDNS_EVENT_BUS = "ddns-events" }
    request_log_group_name  = "/aws/lambda/ddns"
    request_log_group_arn   = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ddns"
    event_bus_arn           = "arn:aws:events:us-east-1:123456789012:event-bus/ddns-events"
    read_config_statements  = [{ Sid = "ReadConfigObject", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::ddns-config/config.json"] }]
    assume_role_policy_json = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }] })
  }

  assert {
    condition = (
      module.lambda.settings.handler == "jobs.handler" &&
      module.lambda.settings.filename == "tests/fixtures/lambda.zip" &&
      module.lambda.environment.DDNS_EVENT_BUS == "ddns-events"
    )
    error_message = "The job must run jobs.handler from the same package, announcing on the deployment's bus."
  }

  assert {
    condition = (
      aws_cloudwatch_event_rule.schedule.schedule_expression == "rate(15 minutes)" &&
      aws_cloudwatch_event_target.schedule.rule == aws_cloudwatch_event_rule.schedule.name &&
      jsondecode(aws_cloudwatch_event_target.schedule.input).ddns == "quiet-hosts" &&
      aws_lambda_permission.schedule.principal == "events.amazonaws.com" &&
      aws_lambda_permission.schedule.source_arn == aws_cloudwatch_event_rule.schedule.arn
    )
    error_message = "A schedule rule must invoke the job every 15 minutes, and only that rule may."
  }

  assert {
    condition = (
      [for s in jsondecode(output.policy_json).Statement : s.Sid] == ["WriteOwnLogs", "QueryRequestLog", "ReadQueryResults", "PutQuietEventsOnOwnBus", "ReadConfigObject"] &&
      jsondecode(module.lambda.assume_role_policy_json).Statement[0].Principal.Service == "lambda.amazonaws.com"
    )
    error_message = "The job's role must add the request function's config statements to its own, and be assumable by Lambda."
  }
}

run "needs_the_bus" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    quiet_host_check_minutes = 15
  }

  expect_failures = [output.quiet_host_check_function_name]
}

run "refuses_a_period_out_of_range" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    change_events            = true
    quiet_host_check_minutes = 2
  }

  expect_failures = [var.quiet_host_check_minutes]
}
