# What the record writer keeps between execution environments (Lambda runs one request per
# environment, so nothing kept in memory is shared): `applied/`, the newest applied change per record
# (src/writer/s3-marks.ts), so a redelivered older change never overwrites a newer one. No secret in
# it: SSE-S3 (SSE-KMS would add a KMS request to every PUT). The request function's fair shares live
# in modules/share-table.
module "bucket" {
  source = "../private-bucket"

  name                     = var.name
  enforce_secure_transport = var.enforce_secure_transport
  # Marks are rebuilt by the next changes: they never stop a destroy.
  force_destroy = true

  tags = var.tags
}

# A shard of a zone nothing changes any more is never rewritten, so the writer never prunes it. Marks
# must outlive the dead-letter queue's retention, so that a replayed old message is still recognised
# as old. Off for emulator stacks, whose lifecycle calls are slow.
resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = var.lifecycle_rules ? 1 : 0

  bucket = module.bucket.bucket

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
