# The record-writer module: the only role of the deployment with Route 53 write rights, its conditions,
# the event source mapping's settings and the writer's own function, parsed from the planned JSON.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name                             = "ddns"
  package_path                     = "tests/fixtures/lambda.zip"
  environment                      = { DDNS_CONFIG_BUCKET = "ddns-config-20240101000000000000000001", DDNS_CONFIG_KEY = "config.json" }
  zone_arn                         = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"
  zone_name                        = "dyn.example.com"
  queue_arn                        = "arn:aws:sqs:us-east-1:123456789012:ddns-changes"
  state_bucket                     = "ddns-state-x"
  state_bucket_arn                 = "arn:aws:s3:::ddns-state-x"
  queue_visibility_timeout_seconds = 360
  assume_role_policy_json          = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"LambdaAssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
}

run "writer_function_and_mapping" {
  command = plan

  module {
    source = "./modules/record-writer"
  }

  assert {
    condition     = module.lambda.settings.handler == "writer.handler" && output.function_name == "ddns-writer" && module.lambda.settings.source_code_hash == filebase64sha256("tests/fixtures/lambda.zip")
    error_message = "The writer must run writer.handler from the same zip, as ddns-writer."
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.this.event_source_arn == "arn:aws:sqs:us-east-1:123456789012:ddns-changes" &&
      aws_lambda_event_source_mapping.this.batch_size == 1000 &&
      aws_lambda_event_source_mapping.this.maximum_batching_window_in_seconds >= 1 &&
      aws_lambda_event_source_mapping.this.scaling_config[0].maximum_concurrency >= 2 &&
      aws_lambda_event_source_mapping.this.function_response_types == toset(["ReportBatchItemFailures"])
    )
    error_message = "The mapping must feed the writer from the change queue: batches of 1,000, a window of at least 1 s, at least 2 writers, ReportBatchItemFailures."
  }

  assert {
    condition = module.lambda.environment == tomap({
      DDNS_CONFIG_BUCKET             = "ddns-config-20240101000000000000000001"
      DDNS_CONFIG_KEY                = "config.json"
      DDNS_WRITER_CHANGES_PER_SECOND = "2"
      DDNS_WRITER_STATE_BUCKET       = "ddns-state-x"
      DDNS_WRITER_MARK_DAYS          = "30"
    })
    error_message = "The writer gets the given environment plus its pacing (2 calls a second per writer by default)."
  }
}

run "writer_policy_holds_the_route53_conditions" {
  command = plan

  module {
    source = "./modules/record-writer"
  }

  # Which statement grants which action, on which resource.
  assert {
    condition = {
      for s in jsondecode(output.policy_json).Statement : s.Sid => { effect = s.Effect, actions = s.Action, resources = s.Resource }
      } == {
      WriteOwnLogs                       = { effect = "Allow", actions = ["logs:CreateLogStream", "logs:PutLogEvents"], resources = ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ddns:*"] }
      ConsumeChangeQueue                 = { effect = "Allow", actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], resources = ["arn:aws:sqs:us-east-1:123456789012:ddns-changes"] }
      ReadZoneRecords                    = { effect = "Allow", actions = ["route53:ListResourceRecordSets"], resources = ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"] }
      UpsertAddressRecordsInZone         = { effect = "Allow", actions = ["route53:ChangeResourceRecordSets"], resources = ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"] }
      WriteAcmeChallengeRecordsInZone    = { effect = "Allow", actions = ["route53:ChangeResourceRecordSets"], resources = ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"] }
      RefuseEscapedNamesButHostWildcards = { effect = "Deny", actions = ["route53:ChangeResourceRecordSets"], resources = ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"] }
      DenyReservedNames                  = { effect = "Deny", actions = ["route53:ChangeResourceRecordSets"], resources = ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"] }
      DenyCertificatesForReservedNames   = { effect = "Deny", actions = ["route53:ChangeResourceRecordSets"], resources = ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"] }
      ReadWriteAppliedMarks              = { effect = "Allow", actions = ["s3:GetObject", "s3:PutObject"], resources = ["arn:aws:s3:::ddns-state-x/applied/*"] }
      ListAppliedMarks                   = { effect = "Allow", actions = ["s3:ListBucket"], resources = ["arn:aws:s3:::ddns-state-x"] }
    }
    error_message = "The writer's policy must grant exactly logs on its log group, consuming the change queue, Route 53 reads and conditioned changes on the zone, its applied marks; and deny the reserved names and their certificates."
  }

  assert {
    condition     = module.lambda.environment["DDNS_WRITER_STATE_BUCKET"] == "ddns-state-x"
    error_message = "The writer must be told where its applied marks are kept."
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
      for s in jsondecode(output.policy_json).Statement : s.Condition if s.Sid == "UpsertAddressRecordsInZone"
      ][0] == {
      "ForAllValues:StringEquals" = {
        "route53:ChangeResourceRecordSetsActions"     = ["UPSERT"]
        "route53:ChangeResourceRecordSetsRecordTypes" = ["A", "AAAA"]
      }
      "ForAllValues:StringLike" = {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames" = ["*.dyn.example.com"]
      }
      Null = {
        "route53:ChangeResourceRecordSetsActions"               = "false"
        "route53:ChangeResourceRecordSetsRecordTypes"           = "false"
        "route53:ChangeResourceRecordSetsNormalizedRecordNames" = "false"
      }
    }
    error_message = "Record changes must be limited to UPSERT of A/AAAA records named below the zone apex, with a Null guard on every ForAllValues key."
  }

  assert {
    condition = [
      for s in jsondecode(output.policy_json).Statement : s.Condition if s.Sid == "DenyReservedNames"
      ][0] == {
      "ForAnyValue:StringEquals" = { "route53:ChangeResourceRecordSetsNormalizedRecordNames" = ["dyn.example.com"] }
    }
    error_message = "Changes to the zone apex must be denied explicitly."
  }

  assert {
    condition = [
      for s in jsondecode(output.policy_json).Statement : s.Condition if s.Sid == "WriteAcmeChallengeRecordsInZone"
      ][0] == {
      "ForAllValues:StringEquals" = {
        "route53:ChangeResourceRecordSetsActions"     = ["CREATE", "DELETE"]
        "route53:ChangeResourceRecordSetsRecordTypes" = ["TXT"]
      }
      "ForAllValues:StringLike" = {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames" = ["_acme-challenge.dyn.example.com", "_acme-challenge.*.dyn.example.com", "*._acme-dns.dyn.example.com"]
      }
      Null = {
        "route53:ChangeResourceRecordSetsActions"               = "false"
        "route53:ChangeResourceRecordSetsRecordTypes"           = "false"
        "route53:ChangeResourceRecordSetsNormalizedRecordNames" = "false"
      }
    }
    error_message = "TXT changes must be limited to CREATE/DELETE of TXT records named _acme-challenge.… or under _acme-dns. in the zone, with a Null guard on every ForAllValues key."
  }

  assert {
    condition     = alltrue([for s in jsondecode(output.policy_json).Statement : contains(["UpsertAddressRecordsInZone", "WriteAcmeChallengeRecordsInZone", "DenyReservedNames", "RefuseEscapedNamesButHostWildcards", "DenyCertificatesForReservedNames", "ListAppliedMarks"], s.Sid) || !can(s.Condition)])
    error_message = "Only the change statements and the marks listing carry conditions."
  }
}
run "api_domain_is_reserved_like_the_apex" {
  command = plan

  module {
    source = "./modules/record-writer"
  }

  variables {
    api_domain_name = "DDNS.dyn.example.com."
  }

  assert {
    condition = [
      for s in jsondecode(output.policy_json).Statement : s.Condition if s.Sid == "DenyReservedNames"
      ][0] == {
      "ForAnyValue:StringEquals" = { "route53:ChangeResourceRecordSetsNormalizedRecordNames" = ["dyn.example.com", "ddns.dyn.example.com"] }
    }
    error_message = "Changes to the zone apex and to the API's custom domain must be denied explicitly, in IAM's normalized form."
  }

  assert {
    condition = [
      for s in jsondecode(output.policy_json).Statement : s.Condition if s.Sid == "DenyCertificatesForReservedNames"
      ][0] == {
      "ForAnyValue:StringEquals" = { "route53:ChangeResourceRecordSetsNormalizedRecordNames" = ["_acme-challenge.ddns.dyn.example.com", "_acme-challenge.dyn.example.com"] }
    }
    error_message = "No certificate may be validated for the API's own name, nor (by default) for the apex and *.<zone>."
  }
}

run "apex_certificates_when_opted_in" {
  command = plan

  module {
    source = "./modules/record-writer"
  }

  variables {
    api_domain_name         = "ddns.dyn.example.com"
    allow_apex_certificates = true
  }

  assert {
    condition = [
      for s in jsondecode(output.policy_json).Statement : s.Condition if s.Sid == "DenyCertificatesForReservedNames"
      ][0] == {
      "ForAnyValue:StringEquals" = { "route53:ChangeResourceRecordSetsNormalizedRecordNames" = ["_acme-challenge.ddns.dyn.example.com"] }
    }
    error_message = "Opted in, the apex's challenge is allowed, but never the API's own."
  }
}

run "apex_certificates_without_api_domain" {
  command = plan

  module {
    source = "./modules/record-writer"
  }

  variables {
    allow_apex_certificates = true
  }

  assert {
    condition     = !contains([for s in jsondecode(output.policy_json).Statement : s.Sid], "DenyCertificatesForReservedNames")
    error_message = "Opted in and without a custom domain, no certificate name is denied."
  }
}

# IAM StringLike evaluated here as regular expressions (`*` any run, `?` one character, the rest
# literal), over the names a host and its wildcard normalize to and over the names nothing may write.
run "record_names_admit_host_wildcards_and_nothing_more" {
  command = plan

  module {
    source = "./modules/record-writer"
  }

  variables {
    allowed = ["home.dyn.example.com", "\\052.home.dyn.example.com", "\\052.a-b_c.home.dyn.example.com", "nas.home.dyn.example.com"]
    refused = [
      "\\052.dyn.example.com", "\\052\\052.home.dyn.example.com", "\\052x.home.dyn.example.com", "\\052-.home.dyn.example.com",
      "a\\052.home.dyn.example.com", "home.\\052.dyn.example.com", "\\100.dyn.example.com", "\\012.home.dyn.example.com",
      "\\053.home.dyn.example.com", "\\0521.dyn.example.com", "example.com", "home.example.org", "dyn.example.com",
    ]
  }

  assert {
    condition = alltrue([
      for name in concat(var.allowed, var.refused) : (
        anytrue([
          for pattern in [for s in jsondecode(output.policy_json).Statement : s.Condition["ForAllValues:StringLike"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"] if s.Sid == "UpsertAddressRecordsInZone"][0] :
          can(regex("^${replace(replace(replace(replace(pattern, "\\", "\\\\"), ".", "\\."), "?", "."), "*", ".*")}$", name))
        ])
        && !anytrue([
          for pattern in [for s in jsondecode(output.policy_json).Statement : s.Condition["ForAnyValue:StringLike"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"] if s.Sid == "RefuseEscapedNamesButHostWildcards"][0] :
          can(regex("^${replace(replace(replace(replace(pattern, "\\", "\\\\"), ".", "\\."), "?", "."), "*", ".*")}$", name))
        ])
      ) == contains(var.allowed, name)
    ])
    error_message = "The writer may write plain names in the zone and a host's wildcard (\\052. then a plain name below the zone), and no other escaped name."
  }
}

# The same IAM StringLike evaluation over TXT names: ACME challenge names in the zone and nothing else.
run "acme_txt_names_admit_challenge_records_only" {
  command = plan

  module {
    source = "./modules/record-writer"
  }

  variables {
    allowed = [
      "_acme-challenge.dyn.example.com", "_acme-challenge.home.dyn.example.com",
      "0f7c1c36-1c2b-4a8e-9d3e-2b1f4b8c9a11._acme-dns.dyn.example.com",
    ]
    refused = [
      "home.dyn.example.com", "dyn.example.com", "_acme-challenge.example.org", "_acme-challenge.dyn.example.com.evil.org",
      "x._acme-challenge.home.dyn.example.com", "_acme-dns.dyn.example.com", "a._acme-dns.example.org",
    ]
  }

  assert {
    condition = alltrue([
      for name in concat(var.allowed, var.refused) : (
        anytrue([
          for pattern in [for s in jsondecode(output.policy_json).Statement : s.Condition["ForAllValues:StringLike"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"] if s.Sid == "WriteAcmeChallengeRecordsInZone"][0] :
          can(regex("^${replace(replace(replace(replace(pattern, "\\", "\\\\"), ".", "\\."), "?", "."), "*", ".*")}$", name))
        ])
      ) == contains(var.allowed, name)
    ])
    error_message = "TXT may be written at _acme-challenge.<name in the zone> and <label>._acme-dns.<zone> only."
  }
}

run "events_only_of_the_writers_kinds" {
  command = plan

  module {
    source = "./modules/record-writer"
  }

  variables {
    event_bus_arn = "arn:aws:events:us-east-1:123456789012:event-bus/ddns-events"
  }

  assert {
    condition = [for s in jsondecode(output.policy_json).Statement : s if strcontains(jsonencode(s.Action), "events:")] == [{
      Sid      = "PutChangeEventsOnOwnBus"
      Effect   = "Allow"
      Action   = ["events:PutEvents"]
      Resource = ["arn:aws:events:us-east-1:123456789012:event-bus/ddns-events"]
      Condition = {
        "ForAllValues:StringEquals" = { "events:source" = ["route53-ddns"], "events:detail-type" = ["DNS record changed", "ACME challenge set"] }
        Null                        = { "events:source" = "false", "events:detail-type" = "false" }
      }
    }]
    error_message = "The writer may put only route53-ddns record and ACME events, on its own bus."
  }
}

run "refuses_more_than_8_calls_a_second" {
  command = plan

  module {
    source = "./modules/record-writer"
  }

  variables {
    changes_per_second  = 3
    maximum_concurrency = 3
  }

  expect_failures = [aws_lambda_event_source_mapping.this]
}

run "refuses_a_visibility_timeout_below_the_writer_timeout" {
  command = plan

  module {
    source = "./modules/record-writer"
  }

  variables {
    queue_visibility_timeout_seconds = 30
  }

  expect_failures = [aws_lambda_event_source_mapping.this]
}

run "refuses_invalid_mapping_settings" {
  command = plan

  module {
    source = "./modules/record-writer"
  }

  variables {
    batch_size                         = 10001
    maximum_batching_window_in_seconds = 0
    maximum_concurrency                = 1
    changes_per_second                 = 0
  }

  expect_failures = [var.batch_size, var.maximum_batching_window_in_seconds, var.maximum_concurrency, var.changes_per_second]
}
