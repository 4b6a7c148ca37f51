# modules/ddns, the deployment (its wiring, outputs, and one refused value for every variable
# validation), and terraform/, the root that deploys it with its providers. Runs that test the module
# pass it the file's mock providers, as a caller passes real ones.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

# The us-east-1 provider the optional edge's WAF needs.
mock_provider "aws" {
  alias           = "us_east_1"
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  zone_name      = "Dyn.Example.com."
  region         = "us-east-1"
  lambda_package = "tests/fixtures/lambda.zip"
}

run "defaults" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  assert {
    condition     = output.api_url == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/"
    error_message = "api_url must be the $default stage's URL."
  }

  assert {
    condition     = output.config_bucket == "ddns-config-20240101000000000000000001" && output.config_key == "config.json"
    error_message = "config_bucket and config_key must name the configuration object."
  }

  assert {
    condition     = output.zone_id == "Z0123456789ABCDEFGHIJ" && length(output.name_servers) == 4
    error_message = "zone_id and name_servers must come from the created zone."
  }

  assert {
    condition     = output.function_name == "ddns" && output.function_log_group_name == "/aws/lambda/ddns"
    error_message = "The function must be named after the deployment."
  }

  assert {
    condition = output.function_environment == {
      DDNS_CONFIG_BUCKET        = "ddns-config-20240101000000000000000001"
      DDNS_CONFIG_KEY           = "config.json"
      DDNS_CONFIG_CACHE_SECONDS = "60"
      DDNS_CHANGE_QUEUE_URL     = "https://sqs.us-east-1.amazonaws.com/123456789012/ddns-changes"
      DDNS_METRICS_NAMESPACE    = "route53-ddns/ddns"
      DDNS_RESERVED_NAMES       = "dyn.example.com"
      NODE_OPTIONS              = "--enable-source-maps --max-old-space-size=100 --max-semi-space-size=4"
      DDNS_NAME_SERVERS         = "ns-1.awsdns-01.org,ns-2.awsdns-02.co.uk,ns-3.awsdns-03.com,ns-4.awsdns-04.net"
      DDNS_SHARE_TABLE          = "ddns-shares"
    }
    error_message = "The function's environment must point at the configuration object, the zone's name servers, the change queue and the share table, and hold no change budget."
  }


  assert {
    condition = (
      output.change_queue_url == "https://sqs.us-east-1.amazonaws.com/123456789012/ddns-changes" && output.change_dlq_url != null &&
      output.writer_function_name == "ddns-writer" &&
      output.writer_environment.DDNS_WRITER_CHANGES_PER_SECOND == "2" &&
      !contains(keys(output.writer_environment), "DDNS_CHANGE_QUEUE_URL") &&
      !contains(keys(output.writer_environment), "DDNS_SHARE_TABLE") &&
      output.writer_environment.DDNS_CONFIG_BUCKET == output.config_bucket
    )
    error_message = "The queue, dead-letter queue and writer must be outputs; the writer gets the function's environment but the queue URL, plus its pacing."
  }

  assert {
    condition = (
      jsondecode(module.change_queue.queue_policy_json).Statement[0].Condition == { Bool = { "aws:SecureTransport" = "false" } } &&
      jsondecode(module.change_queue.dead_letter_queue_policy_json).Statement[0].Condition == { Bool = { "aws:SecureTransport" = "false" } }
    )
    error_message = "Both queues must refuse requests without TLS by default."
  }

  # The internet-facing function decides and queues; only the record writer may change records.
  assert {
    condition = (
      !strcontains(module.function.policy_json, "route53:ChangeResourceRecordSets") &&
      [for s in jsondecode(module.function.policy_json).Statement : s.Resource if s.Sid == "QueueRecordChanges"] == [[module.change_queue.queue_arn]]
    )
    error_message = "The request function's role must not mention route53:ChangeResourceRecordSets at all, and may send to the change queue."
  }

  assert {
    condition = (
      module.config_bucket.policy_json != null &&
      jsondecode(module.config_bucket.policy_json).Statement[0].Condition == { Bool = { "aws:SecureTransport" = "false" } }
    )
    error_message = "The TLS-only bucket policy must be on by default."
  }

  assert {
    condition = [
      for s in jsondecode(module.record_writer.policy_json).Statement : s if s.Sid == "UpsertAddressRecordsInZone"
      ][0].Resource == ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"] && [
      for s in jsondecode(module.record_writer.policy_json).Statement : s if s.Sid == "UpsertAddressRecordsInZone"
      ][0].Condition["ForAllValues:StringLike"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"] == ["*.dyn.example.com"] && [
      for s in jsondecode(module.record_writer.policy_json).Statement : s.Condition if s.Sid == "DenyCertificatesForReservedNames"
    ][0]["ForAnyValue:StringEquals"]["route53:ChangeResourceRecordSetsNormalizedRecordNames"] == ["_acme-challenge.dyn.example.com"]
    error_message = "The writer may change records only in the zone, named as IAM normalizes them, and never validate a certificate for the apex unless allowed."
  }

  assert {
    condition     = length(module.alarms) == 0 && output.alarm_sns_topic_arn == null
    error_message = "Alarms must be off unless an email or a topic is given."
  }

  assert {
    condition     = var.throttling_rate_limit == 500 && var.throttling_burst_limit == 1000
    error_message = "The stage must default to 500 requests/s with a burst of 1000: well above a fleet's peak, so one address at 10 requests/s cannot starve it."
  }

  assert {
    condition     = var.reserved_concurrent_executions == 100
    error_message = "The function's concurrency must be capped (reserved) at 100 by default."
  }

  assert {
    condition     = var.config_noncurrent_version_expiration_days == 30 && module.config_bucket.noncurrent_version_expiration_days == 30
    error_message = "Old versions of the configuration (old secrets) must expire after 30 days by default."
  }

  assert {
    condition     = length(module.edge) == 0 && !contains(keys(output.function_environment), "DDNS_EDGE_SECRET")
    error_message = "The per-address limit (CloudFront + WAF) must be off by default."
  }
}

run "per_address_limit_puts_the_edge_in_front" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    per_address_rate_limit          = 300
    per_address_rate_window_seconds = 60
  }

  # uuid() is only known after apply.
  override_resource {
    target          = terraform_data.edge_secret
    override_during = plan
    values = {
      output = "0b7e4f6e-5a51-4c1e-9f0e-5d2c0f3a9b71"
    }
  }

  assert {
    condition     = output.api_url == "https://d111111abcdef8.cloudfront.net/"
    error_message = "With a per-address limit, routers must be given the CloudFront URL."
  }

  assert {
    condition     = module.edge[0].web_acl_arn == "arn:aws:wafv2:us-east-1:123456789012:global/webacl/ddns/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
    error_message = "The edge must have its web ACL."
  }

  assert {
    condition     = !contains(keys(output.function_environment), "DDNS_EDGE_SECRET")
    error_message = "The edge secret must not be published in the function_environment output."
  }
}

run "per_address_limit_refuses_a_custom_domain" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    per_address_rate_limit = 300
    domain_name            = "ddns.dyn.example.com"
  }

  expect_failures = [terraform_data.edge_secret]
}

run "existing_zone" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    zone_name   = "dyn.example.com"
    create_zone = false
    zone_id     = "Z9876543210ZYXWVUTSRQ"
  }

  assert {
    condition     = output.zone_id == "Z9876543210ZYXWVUTSRQ" && output.name_servers[0] == "ns-5.awsdns-05.org"
    error_message = "An existing zone's ID and name servers must be used."
  }

  assert {
    condition     = [for s in jsondecode(module.function.policy_json).Statement : s.Resource if s.Sid == "ReadZoneRecords"][0] == ["arn:aws:route53:::hostedzone/Z9876543210ZYXWVUTSRQ"]
    error_message = "The function's permissions must follow the existing zone."
  }
}

run "alarms_with_email" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    alarm_email = "ops@example.com"
  }

  assert {
    condition     = length(module.alarms) == 1 && output.alarm_sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:ddns-alarms"
    error_message = "alarm_email must turn the alarms on with a new topic."
  }

  assert {
    condition     = keys(module.alarms[0].alarm_names) == ["api_5xx_rate", "failed_authentications", "function_errors", "throttling"]
    error_message = "The four alarms must exist."
  }
}

run "alarms_with_existing_topic" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    alarm_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:pager"
  }

  assert {
    condition     = length(module.alarms) == 1 && output.alarm_sns_topic_arn == "arn:aws:sns:us-east-1:123456789012:pager"
    error_message = "alarm_sns_topic_arn must turn the alarms on with that topic."
  }
}

run "custom_domain" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    domain_name = "ddns.dyn.example.com"
  }

  assert {
    condition     = output.api_url == "https://ddns.dyn.example.com/"
    error_message = "With a custom domain api_url must use it."
  }
}

run "kms_key" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
  }

  assert {
    condition     = contains(flatten([for s in jsondecode(module.function.policy_json).Statement : s.Action]), "kms:Decrypt")
    error_message = "A KMS key must reach the function's policy."
  }
}

run "accepted_edge_values" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    name                           = "a-deployment-name-of-29-chars"
    timeout                        = 29
    memory_size                    = 10240
    reserved_concurrent_executions = 0
    log_retention_days             = 3653
  }

  assert {
    condition     = output.function_name == "a-deployment-name-of-29-chars"
    error_message = "A 29-character name must be accepted."
  }
}

# Every variable validation, each with a value it must refuse. expect_failures passes only when every
# listed variable fails, so grouping them keeps the suite fast without hiding a validation that lets a value through.

run "refuses_invalid_names" {
  # Names: each of these values breaks a DNS, S3 or AWS naming rule.
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    zone_name   = "not a zone"
    zone_id     = "/hostedzone/Z0123456789ABCDEFGHIJ"
    name        = "DDNS_prod"
    domain_name = "ddns.dyn.example.com."
  }

  expect_failures = [
    var.zone_name,
    var.zone_id,
    var.name,
    var.domain_name,
  ]
}

run "refuses_single_label_zone_and_long_name" {
  # A zone needs two labels; a name longer than 29 characters overflows the bucket prefix.
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    zone_name = "localhost"
    name      = "a-very-long-deployment-name-xy"
  }

  expect_failures = [
    var.zone_name,
    var.name,
  ]
}

run "refuses_invalid_function_settings" {
  # The function: a zip, Node.js 22 or later, a real architecture, Lambda's limits, below API Gateway's 30 s.
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    lambda_package                 = "dist/lambda.tar.gz"
    runtime                        = "nodejs20.x"
    architecture                   = "arm"
    memory_size                    = 64
    timeout                        = 30
    reserved_concurrent_executions = -1
    config_key                     = "/config.json"
    config_cache_seconds           = -1
  }

  expect_failures = [
    var.lambda_package,
    var.runtime,
    var.architecture,
    var.memory_size,
    var.timeout,
    var.reserved_concurrent_executions,
    var.config_key,
    var.config_cache_seconds,
  ]
}

run "refuses_non_node_runtime" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    runtime = "python3.12"
  }

  expect_failures = [
    var.runtime,
  ]
}

run "refuses_invalid_api_and_log_settings" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    log_retention_days     = 10
    throttling_rate_limit  = 0
    throttling_burst_limit = 0
  }

  expect_failures = [
    var.log_retention_days,
    var.throttling_rate_limit,
    var.throttling_burst_limit,
  ]
}

run "refuses_invalid_security_and_alarm_settings" {
  # An alias cannot be used in an IAM policy; alarms need a real address, topic and thresholds.
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    kms_key_arn                 = "arn:aws:kms:us-east-1:123456789012:alias/ddns"
    alarm_email                 = "ops"
    alarm_sns_topic_arn         = "pager"
    alarm_5xx_rate_percent      = 100
    alarm_failed_auth_threshold = 0
  }

  expect_failures = [
    var.kms_key_arn,
    var.alarm_email,
    var.alarm_sns_topic_arn,
    var.alarm_5xx_rate_percent,
    var.alarm_failed_auth_threshold,
  ]
}

run "refuses_invalid_writer_settings" {
  command = plan

  module {
    source = "./modules/ddns"
  }

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  variables {
    writer_batch_size              = 0
    writer_batching_window_seconds = 0
    writer_maximum_concurrency     = 1
    writer_changes_per_second      = 9
    writer_timeout                 = 5
    writer_memory_size             = 64
    change_queue_max_receive_count = 0
    alarm_change_age_seconds       = 10
  }

  expect_failures = [
    var.writer_batch_size, var.writer_batching_window_seconds, var.writer_maximum_concurrency, var.writer_changes_per_second,
    var.writer_timeout, var.writer_memory_size, var.change_queue_max_receive_count, var.alarm_change_age_seconds,
  ]
}

# The root: its own region variable, and the module's outputs passed back.
run "root_deploys_the_module" {
  command = plan

  assert {
    condition     = output.api_url == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/" && output.function_name == "ddns"
    error_message = "The root must pass the module's outputs back."
  }

  assert {
    condition     = output.config_bucket == "ddns-config-20240101000000000000000001" && output.config_key == "config.json"
    error_message = "The root must pass the module's outputs back."
  }
}

run "root_refuses_an_invalid_region" {
  command = plan

  variables {
    region = "Europe"
  }

  expect_failures = [var.region]
}
