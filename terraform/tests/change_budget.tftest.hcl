# The shared Route 53 change budget (issue #13): a bucket of slot objects, on by default at 8 calls per
# second; the function may only create slots in it, and is told where and how many.

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
  zone_name      = "dyn.example.com"
  region         = "us-east-1"
  lambda_package = "tests/fixtures/lambda.zip"
}

# The mock gives every bucket one name; tell the slot bucket from the config bucket.
override_resource {
  target          = module.change_budget[0].aws_s3_bucket.this
  override_during = plan
  values = {
    id     = "ddns-budget-20240101000000000000000002"
    bucket = "ddns-budget-20240101000000000000000002"
    arn    = "arn:aws:s3:::ddns-budget-20240101000000000000000002"
  }
}

run "module_slot_bucket" {
  command = plan

  module {
    source = "./modules/change-budget"
  }

  variables {
    name = "ddns-budget"
  }

  assert {
    condition = (
      aws_s3_bucket.this.bucket_prefix == "ddns-budget-" && aws_s3_bucket.this.force_destroy &&
      aws_s3_bucket_public_access_block.this.block_public_acls &&
      aws_s3_bucket_public_access_block.this.block_public_policy &&
      aws_s3_bucket_public_access_block.this.ignore_public_acls &&
      aws_s3_bucket_public_access_block.this.restrict_public_buckets &&
      aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    )
    error_message = "The slot bucket must be private (all four public access block settings, no ACLs) and not force-destroyed by default."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "The slot bucket must use SSE-S3: the objects are empty, and SSE-KMS would cost a KMS request per PUT."
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Disabled"
    error_message = "The slot bucket must not be versioned: keys are never reused."
  }

  assert {
    condition = [for rule in aws_s3_bucket_lifecycle_configuration.this[0].rule : {
      status = rule.status
      filter = length(rule.filter) == 1 && length(rule.filter[0].and) + length(rule.filter[0].tag) == 0
      days   = one(rule.expiration).days
    }] == [{ status = "Enabled", filter = true, days = 1 }] && output.expiration_days == 1
    error_message = "Every object in the slot bucket must expire after 1 day."
  }

  assert {
    condition = jsondecode(output.policy_json).Statement == [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
    error_message = "The bucket policy must deny every request without TLS, on the bucket and its objects."
  }
}

run "module_emulator_mode" {
  command = plan

  module {
    source = "./modules/change-budget"
  }

  variables {
    name                     = "ddns-budget"
    enforce_secure_transport = false
    expiration_days          = null
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0 && output.policy_json == null
    error_message = "enforce_secure_transport = false must drop the TLS policy."
  }

  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.this) == 0 && output.expiration_days == null
    error_message = "expiration_days = null must drop the lifecycle rule."
  }

  assert {
    condition     = aws_s3_bucket_public_access_block.this.block_public_policy && aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "The emulator settings must not weaken anything else."
  }
}

run "on_by_default_at_8_per_second" {
  command = plan

  assert {
    condition     = output.change_budget_bucket == "ddns-budget-20240101000000000000000002"
    error_message = "change_budget_bucket must name the slot bucket."
  }

  assert {
    condition     = module.change_budget[0].expiration_days == 1 && jsondecode(module.change_budget[0].policy_json).Statement[0].Sid == "DenyInsecureTransport"
    error_message = "The root module must expire slots after a day and keep the bucket TLS-only."
  }

  assert {
    condition = (
      output.function_environment["DDNS_CHANGE_BUDGET_BUCKET"] == "ddns-budget-20240101000000000000000002" &&
      output.function_environment["DDNS_CHANGE_BUDGET_PER_SECOND"] == "8"
    )
    error_message = "The function must be told the slot bucket and the default 8 calls per second."
  }

  assert {
    condition = [for s in jsondecode(module.function.policy_json).Statement : s if s.Sid == "LeaseChangeBudgetSlots"] == [{
      Sid      = "LeaseChangeBudgetSlots"
      Effect   = "Allow"
      Action   = ["s3:PutObject"]
      Resource = ["arn:aws:s3:::ddns-budget-20240101000000000000000002/slots/*"]
    }]
    error_message = "The function may create slot objects (s3:PutObject on slots/*) and nothing else in the slot bucket."
  }

  assert {
    condition = alltrue([
      for s in jsondecode(module.function.policy_json).Statement : s.Sid == "LeaseChangeBudgetSlots" || !strcontains(jsonencode(s.Resource), "ddns-budget-")
    ]) && !anytrue([for s in jsondecode(module.function.policy_json).Statement : contains(flatten([s.Action]), "s3:PutObject") && s.Sid != "LeaseChangeBudgetSlots"])
    error_message = "No other statement may reach the slot bucket, and none may put objects anywhere else."
  }
}

run "rate_passes_through" {
  command = plan

  variables {
    route53_change_budget_per_second = 10
  }

  assert {
    condition     = output.function_environment["DDNS_CHANGE_BUDGET_PER_SECOND"] == "10"
    error_message = "route53_change_budget_per_second must reach DDNS_CHANGE_BUDGET_PER_SECOND."
  }
}

run "null_turns_it_off" {
  command = plan

  variables {
    route53_change_budget_per_second = null
  }

  assert {
    condition     = length(module.change_budget) == 0 && output.change_budget_bucket == null
    error_message = "route53_change_budget_per_second = null must create no slot bucket."
  }

  assert {
    condition     = length([for name in keys(output.function_environment) : name if startswith(name, "DDNS_CHANGE_BUDGET_")]) == 0
    error_message = "Without a budget the function must get neither variable."
  }

  assert {
    condition     = !anytrue([for s in jsondecode(module.function.policy_json).Statement : contains(flatten([s.Action]), "s3:PutObject")])
    error_message = "Without a budget the function may put no object."
  }
}

run "quiet_host_check_gets_no_budget" {
  command = plan

  variables {
    change_events            = true
    quiet_host_check_minutes = 15
  }

  assert {
    condition     = !anytrue([for s in jsondecode(module.quiet_hosts[0].policy_json).Statement : contains(flatten([s.Action]), "s3:PutObject") || strcontains(jsonencode(s.Resource), "ddns-budget-")])
    error_message = "The quiet-host check changes no records: its role must not reach the slot bucket."
  }

  assert {
    condition = (
      output.function_environment["DDNS_CHANGE_BUDGET_BUCKET"] == "ddns-budget-20240101000000000000000002" &&
      length([for name in keys(module.quiet_hosts[0].environment) : name if startswith(name, "DDNS_CHANGE_BUDGET_")]) == 0
    )
    error_message = "The quiet-host check must not be told about the budget it may not use."
  }
}

# Each refused value in a run of its own: expect_failures passes when the variable fails at all.
run "refuses_a_rate_of_0" {
  command = plan

  variables {
    route53_change_budget_per_second = 0
  }

  expect_failures = [var.route53_change_budget_per_second]
}

run "refuses_a_rate_of_11" {
  command = plan

  variables {
    route53_change_budget_per_second = 11
  }

  expect_failures = [var.route53_change_budget_per_second]
}

run "refuses_a_fractional_rate" {
  command = plan

  variables {
    route53_change_budget_per_second = 2.5
  }

  expect_failures = [var.route53_change_budget_per_second]
}

run "refuses_an_expiry_under_a_day" {
  command = plan

  variables {
    change_budget_expiration_days = 0
  }

  expect_failures = [var.change_budget_expiration_days]
}
