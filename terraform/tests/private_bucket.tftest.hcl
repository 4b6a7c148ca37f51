# The private-bucket module every bucket here is built on: private, owner-enforced, encrypted, TLS only.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name = "ddns-config"
}

run "private_encrypted_tls_only" {
  command = plan

  module {
    source = "./modules/private-bucket"
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.this.block_public_acls &&
      aws_s3_bucket_public_access_block.this.block_public_policy &&
      aws_s3_bucket_public_access_block.this.ignore_public_acls &&
      aws_s3_bucket_public_access_block.this.restrict_public_buckets
    )
    error_message = "All four public access block settings must be on."
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "Ownership must be BucketOwnerEnforced (ACLs off)."
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "Without a KMS key the bucket must use SSE-S3."
  }

  assert {
    condition     = aws_s3_bucket.this.bucket_prefix == "ddns-config-" && !aws_s3_bucket.this.force_destroy
    error_message = "The bucket takes a unique name from its prefix and is not force-destroyed by default."
  }

  assert {
    condition     = !one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled
    error_message = "SSE-S3 needs no bucket key."
  }

  assert {
    condition = jsondecode(aws_s3_bucket_policy.this[0].policy).Statement == [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::ddns-config-20240101000000000000000001", "arn:aws:s3:::ddns-config-20240101000000000000000001/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
    error_message = "The bucket policy must deny every request without TLS, on the bucket and its objects."
  }

  assert {
    condition     = output.policy_json == aws_s3_bucket_policy.this[0].policy
    error_message = "policy_json must expose the attached policy."
  }
}

run "kms_key_selects_sse_kms_with_bucket_key" {
  command = plan

  module {
    source = "./modules/private-bucket"
  }

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
  }

  assert {
    condition = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default) == {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    }
    error_message = "With a KMS key the bucket must use SSE-KMS with that key."
  }

  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this.rule).bucket_key_enabled
    error_message = "SSE-KMS must use a bucket key."
  }
}

run "emulator_mode_drops_only_the_policy" {
  command = plan

  module {
    source = "./modules/private-bucket"
  }

  variables {
    enforce_secure_transport = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.this) == 0 && output.policy_json == null
    error_message = "enforce_secure_transport = false must drop the TLS policy."
  }

  assert {
    condition     = aws_s3_bucket_public_access_block.this.block_public_policy && aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "enforce_secure_transport = false must not weaken anything else."
  }
}
