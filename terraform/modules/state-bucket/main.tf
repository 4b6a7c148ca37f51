# Small objects the functions keep between execution environments (Lambda runs one request per
# environment, so nothing counted in memory is shared):
# - `shares/` — the request function's fair-share slots (src/queue/s3-shares.ts), created with
#   If-None-Match: *, worthless after their window;
# - `applied/` — the record writer's newest applied change per record (src/writer/s3-marks.ts), so a
#   redelivered older change never overwrites a newer one.
# Neither holds a secret: SSE-S3 (SSE-KMS would add a KMS request to every PUT).
module "bucket" {
  source = "../private-bucket"

  name                     = var.name
  enforce_secure_transport = var.enforce_secure_transport
  # Slots and marks are rebuilt by the next changes: they never stop a destroy.
  force_destroy = true

  tags = var.tags
}

# Without expiry the bucket would keep a slot per change forever. Marks must outlive the dead-letter
# queue's retention, so that a replayed old message is still recognised as old. Null: no rules
# (emulator stacks, whose lifecycle calls are slow).
resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = var.share_expiration_days == null ? 0 : 1

  bucket = module.bucket.bucket

  rule {
    id     = "expire-shares"
    status = "Enabled"

    filter {
      prefix = "shares/"
    }

    expiration {
      days = var.share_expiration_days
    }
  }

  rule {
    id     = "expire-applied-marks"
    status = "Enabled"

    filter {
      prefix = "applied/"
    }

    expiration {
      days = var.mark_expiration_days
    }
  }
}

# These resources lived in this module before private-bucket held them: the moves keep a deployed
# bucket (and its settings) in place instead of destroying and recreating it.
moved {
  from = aws_s3_bucket.this
  to   = module.bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.this
  to   = module.bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_ownership_controls.this
  to   = module.bucket.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this
  to   = module.bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.this
  to   = module.bucket.aws_s3_bucket_policy.this
}
