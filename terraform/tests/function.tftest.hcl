# The function module: runtime settings and the least-privilege IAM policy, parsed from its JSON. The
# Route 53 write statements are the record writer's (tests/record_writer.tftest.hcl).

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name              = "ddns"
  package_path      = "tests/fixtures/lambda.zip"
  config_bucket     = "ddns-config-20240101000000000000000001"
  config_bucket_arn = "arn:aws:s3:::ddns-config-20240101000000000000000001"
  zone_arn          = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"
  zone_name         = "dyn.example.com"
  change_queue_url  = "https://sqs.us-east-1.amazonaws.com/123456789012/ddns-changes"
  change_queue_arn  = "arn:aws:sqs:us-east-1:123456789012:ddns-changes"
  share_table       = "ddns-shares"
  share_table_arn   = "arn:aws:dynamodb:us-east-1:123456789012:table/ddns-shares"
}

run "function_settings" {
  command = plan

  module {
    source = "./modules/function"
  }

  assert {
    condition     = module.lambda.settings.runtime == "nodejs22.x"
    error_message = "The runtime must default to nodejs22.x."
  }

  assert {
    condition     = module.lambda.settings.architectures == tolist(["arm64"])
    error_message = "The architecture must default to arm64."
  }

  assert {
    condition     = module.lambda.settings.handler == "index.handler"
    error_message = "The handler must be index.handler (index.mjs exports handler)."
  }

  assert {
    condition     = module.lambda.settings.memory_size == 128
    error_message = "Memory must default to 128 MB."
  }

  assert {
    condition     = module.lambda.settings.timeout <= 15
    error_message = "The timeout must stay well under API Gateway's 30 s."
  }

  assert {
    condition     = module.lambda.settings.source_code_hash == filebase64sha256("tests/fixtures/lambda.zip")
    error_message = "source_code_hash must follow the zip's content."
  }

  assert {
    condition     = module.lambda.settings.reserved_concurrent_executions == null
    error_message = "The module leaves concurrency unreserved unless told (modules/ddns reserves 100 by default)."
  }

  assert {
    condition = module.lambda.environment == tomap({
      DDNS_CONFIG_BUCKET        = "ddns-config-20240101000000000000000001"
      DDNS_CONFIG_KEY           = "config.json"
      DDNS_CONFIG_CACHE_SECONDS = "60"
      DDNS_CHANGE_QUEUE_URL     = "https://sqs.us-east-1.amazonaws.com/123456789012/ddns-changes"
      DDNS_SHARE_TABLE          = "ddns-shares"
      DDNS_METRICS_NAMESPACE    = "route53-ddns"
      DDNS_RESERVED_NAMES       = "dyn.example.com"
      NODE_OPTIONS              = "--enable-source-maps --max-old-space-size=100 --max-semi-space-size=4"
    })
    error_message = "The environment must be exactly the one docs/architecture.md \"Build artefact\" names."
  }

  assert {
    condition     = module.lambda.settings.logging_config[0].log_format == "JSON"
    error_message = "The function must use Lambda's JSON log format (the failed-auth metric filter parses it)."
  }

  assert {
    condition     = module.lambda.settings.logging_config[0].log_group == module.lambda.log_group_name
    error_message = "The function must log to its own managed log group."
  }

  assert {
    condition     = module.lambda.log_group_name == "/aws/lambda/ddns" && module.lambda.log_retention_days == 30
    error_message = "The function's log group must have a retention period (30 days by default)."
  }

  assert {
    condition     = jsondecode(module.lambda.assume_role_policy_json).Statement[0].Principal == { Service = "lambda.amazonaws.com" }
    error_message = "Only Lambda may assume the function's role."
  }
}

run "iam_policy_is_least_privilege" {
  command = plan

  module {
    source = "./modules/function"
  }

  # Which statement grants which action, on which resource.
  assert {
    condition = {
      for s in jsondecode(output.policy_json).Statement : s.Sid => { effect = s.Effect, actions = s.Action, resources = s.Resource }
      } == {
      WriteOwnLogs        = { effect = "Allow", actions = ["logs:CreateLogStream", "logs:PutLogEvents"], resources = ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ddns:*"] }
      ReadConfigObject    = { effect = "Allow", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::ddns-config-20240101000000000000000001/config.json", "arn:aws:s3:::ddns-config-20240101000000000000000001/config.json.d/*"] }
      ListConfigBucket    = { effect = "Allow", actions = ["s3:ListBucket"], resources = ["arn:aws:s3:::ddns-config-20240101000000000000000001"] }
      ReadZoneRecords     = { effect = "Allow", actions = ["route53:ListResourceRecordSets"], resources = ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"] }
      QueueRecordChanges  = { effect = "Allow", actions = ["sqs:SendMessage"], resources = ["arn:aws:sqs:us-east-1:123456789012:ddns-changes"] }
      ReadZoneNameServers = { effect = "Allow", actions = ["route53:GetHostedZone"], resources = ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"] }
      CountFairShares     = { effect = "Allow", actions = ["dynamodb:UpdateItem"], resources = ["arn:aws:dynamodb:us-east-1:123456789012:table/ddns-shares"] }
    }
    error_message = "The policy must grant exactly logs on its log group, GetObject on the config object, ListBucket on the bucket, Route 53 reads on the zone, SendMessage on the change queue, UpdateItem on the share table, and GetHostedZone when the name servers are not given."
  }

  # A count is taken with one update of the item's own attributes: the role reads nothing back and
  # can write no other attribute into the table.
  assert {
    condition = [
      for s in jsondecode(output.policy_json).Statement : s.Condition if s.Sid == "CountFairShares"
      ][0] == {
      "ForAllValues:StringEquals" = { "dynamodb:Attributes" = ["id", "changes", "expires"] }
      StringEqualsIfExists        = { "dynamodb:ReturnValues" = "NONE" }
    }
    error_message = "The share table may only be updated on id, changes and expires, returning nothing."
  }

  assert {
    condition     = module.lambda.environment["DDNS_SHARE_TABLE"] == "ddns-shares"
    error_message = "The function must be told where the fair shares are counted."
  }

  # The internet-facing function decides; the record writer (modules/record-writer) writes.
  assert {
    condition = alltrue([
      for s in jsondecode(output.policy_json).Statement :
      s.Effect == "Deny" || !anytrue([for a in flatten([s.Action]) : contains(["route53:ChangeResourceRecordSets", "route53:*", "*"], a) || startswith(a, "route53:Change") || startswith(a, "route53:Create") || startswith(a, "route53:Delete")])
    ])
    error_message = "The request function's role must have no Route 53 write permission at all."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(output.policy_json).Statement :
      !contains(flatten([s.Resource]), "*") && !anytrue([for a in flatten([s.Action]) : endswith(a, "*")])
    ])
    error_message = "No statement may use a wildcard resource or action."
  }

  assert {
    condition = [
      for s in jsondecode(output.policy_json).Statement : s.Condition if s.Sid == "ListConfigBucket"
      ][0] == {
      StringLike = { "s3:prefix" = ["config.json", "config.json.d/*"] }
    }
    error_message = "Listing the bucket must be limited to the config's key and its shards (s3:prefix)."
  }

  assert {
    condition     = alltrue([for s in jsondecode(output.policy_json).Statement : !strcontains(jsonencode(s.Action), "events:")])
    error_message = "The request function publishes no events: the record writer does, after the write."
  }

  assert {
    condition     = alltrue([for s in jsondecode(output.policy_json).Statement : contains(["ListConfigBucket", "CountFairShares"], s.Sid) || !can(s.Condition)])
    error_message = "Only the listing and the share slots carry conditions."
  }
}

run "api_domain_is_reserved_like_the_apex" {
  command = plan

  module {
    source = "./modules/function"
  }

  variables {
    api_domain_name = "DDNS.dyn.example.com."
  }

  assert {
    condition     = module.lambda.environment["DDNS_RESERVED_NAMES"] == "dyn.example.com,ddns.dyn.example.com"
    error_message = "The function must be told both reserved names."
  }
}

run "edge_secret_reaches_the_function_but_not_the_output" {
  command = plan

  module {
    source = "./modules/function"
  }

  variables {
    edge_secret = "0b7e4f6e-5a51-4c1e-9f0e-5d2c0f3a9b71"
  }

  assert {
    condition     = module.lambda.environment["DDNS_EDGE_SECRET"] == "0b7e4f6e-5a51-4c1e-9f0e-5d2c0f3a9b71"
    error_message = "Behind the edge the function must know the origin secret (DDNS_EDGE_SECRET)."
  }

  assert {
    condition     = !contains(keys(output.environment), "DDNS_EDGE_SECRET") && contains(keys(output.environment), "DDNS_CONFIG_BUCKET")
    error_message = "The environment output (used to run the bundle locally) must leave the edge secret out."
  }
}

run "kms_key_adds_decrypt_on_that_key_only" {
  command = plan

  module {
    source = "./modules/function"
  }

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
  }

  assert {
    condition = [
      for s in jsondecode(output.policy_json).Statement : s if s.Sid == "DecryptConfigObject"
      ] == [{
        Sid      = "DecryptConfigObject"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = ["arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"]
        Condition = {
          StringEquals = {
            "kms:ViaService" = "s3.us-east-1.amazonaws.com"
            "kms:EncryptionContext:aws:s3:arn" = [
              "arn:aws:s3:::ddns-config-20240101000000000000000001",
              "arn:aws:s3:::ddns-config-20240101000000000000000001/config.json",
            ]
          }
        }
    }]
    error_message = "With a KMS key, the policy must allow kms:Decrypt on that key only through S3 in the function's region, for this bucket (bucket key) or its config object."
  }
}

run "no_kms_statement_without_key" {
  command = plan

  module {
    source = "./modules/function"
  }

  assert {
    condition     = !anytrue([for s in jsondecode(output.policy_json).Statement : contains(flatten([s.Action]), "kms:Decrypt")])
    error_message = "Without a KMS key there must be no KMS permission."
  }
}

run "settings_pass_through" {
  command = plan

  module {
    source = "./modules/function"
  }

  variables {
    architecture                   = "x86_64"
    memory_size                    = 256
    timeout                        = 5
    reserved_concurrent_executions = 5
    log_retention_days             = 90
    config_key                     = "prod/config.json"
    config_cache_seconds           = 30
  }

  assert {
    condition     = module.lambda.settings.architectures == tolist(["x86_64"])
    error_message = "architecture must pass through."
  }

  assert {
    condition     = module.lambda.settings.memory_size == 256 && module.lambda.settings.timeout == 5 && module.lambda.settings.reserved_concurrent_executions == 5
    error_message = "memory_size, timeout and reserved concurrency must pass through."
  }

  assert {
    condition     = strcontains(module.lambda.environment.NODE_OPTIONS, "--max-old-space-size=228 ")
    error_message = "The V8 heap cap must follow memory_size, leaving 28 MB for everything else."
  }

  assert {
    condition     = module.lambda.log_retention_days == 90
    error_message = "log_retention_days must pass through."
  }

  assert {
    condition     = module.lambda.environment["DDNS_CONFIG_KEY"] == "prod/config.json" && module.lambda.environment["DDNS_CONFIG_CACHE_SECONDS"] == "30"
    error_message = "config_key and config_cache_seconds must reach the environment."
  }

  assert {
    condition     = contains(flatten([for s in jsondecode(output.policy_json).Statement : s.Resource if s.Sid == "ReadConfigObject"]), "arn:aws:s3:::ddns-config-20240101000000000000000001/prod/config.json")
    error_message = "GetObject must follow config_key."
  }
}

run "missing_package_is_refused" {
  command = plan

  module {
    source = "./modules/function"
  }

  variables {
    package_path = "tests/fixtures/no-such-lambda.zip"
  }

  expect_failures = [var.package_path]
}

run "name_servers_given" {
  command = plan

  module {
    source = "./modules/function"
  }

  variables {
    name_servers = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk"]
  }

  assert {
    condition     = module.lambda.environment["DDNS_NAME_SERVERS"] == "ns-1.awsdns-01.org,ns-2.awsdns-02.co.uk"
    error_message = "name_servers must reach DDNS_NAME_SERVERS, comma-separated."
  }

  assert {
    condition     = !contains([for s in jsondecode(output.policy_json).Statement : s.Sid], "ReadZoneNameServers")
    error_message = "With the name servers given, the function needs no route53:GetHostedZone."
  }
}
