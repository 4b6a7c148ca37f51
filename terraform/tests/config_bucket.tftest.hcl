# The config-bucket module: a private bucket (modules/private-bucket, tested in
# private_bucket.tftest.hcl) that is versioned, expires old versions and is TLS only by default.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name = "ddns-config"
}

run "versioned_and_tls_only" {
  command = plan

  module {
    source = "./modules/config-bucket"
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning must be on."
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.bucket == output.bucket && output.bucket == "ddns-config-20240101000000000000000001"
    error_message = "Versioning must apply to the bucket the module creates (named from its prefix)."
  }

  assert {
    condition = jsondecode(output.policy_json).Statement == [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::ddns-config-20240101000000000000000001", "arn:aws:s3:::ddns-config-20240101000000000000000001/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
    error_message = "The bucket policy must deny every request without TLS, on the bucket and its objects."
  }
}

run "emulator_mode_drops_only_the_policy" {
  command = plan

  module {
    source = "./modules/config-bucket"
  }

  variables {
    enforce_secure_transport = false
  }

  assert {
    condition     = output.policy_json == null && aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "enforce_secure_transport = false must drop the TLS policy and nothing else."
  }
}

run "old_versions_expire_after_30_days" {
  command = plan

  module {
    source = "./modules/config-bucket"
  }

  assert {
    condition = [for rule in aws_s3_bucket_lifecycle_configuration.this[0].rule : {
      status = rule.status
      days   = one(rule.noncurrent_version_expiration).noncurrent_days
    }] == [{ status = "Enabled", days = 30 }]
    error_message = "Noncurrent versions (with the secrets they hold) must expire after 30 days by default."
  }

  assert {
    condition     = output.noncurrent_version_expiration_days == 30
    error_message = "The retention must be reported."
  }
}

run "null_keeps_every_version" {
  command = plan

  module {
    source = "./modules/config-bucket"
  }

  variables {
    noncurrent_version_expiration_days = null
  }

  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.this) == 0 && output.noncurrent_version_expiration_days == null
    error_message = "null must keep every version (no lifecycle rule)."
  }
}

run "refuses_a_retention_under_a_day" {
  command = plan

  module {
    source = "./modules/config-bucket"
  }

  variables {
    noncurrent_version_expiration_days = 0
  }

  expect_failures = [var.noncurrent_version_expiration_days]
}
