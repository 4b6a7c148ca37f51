# The change-budget module: the bucket of slot objects behind the shared Route 53 change budget.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name = "ddns-budget"
}

run "module_slot_bucket" {
  command = plan

  module {
    source = "./modules/change-budget"
  }

  assert {
    condition = (
      aws_s3_bucket.this.bucket_prefix == "ddns-budget-" && !aws_s3_bucket.this.force_destroy &&
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
