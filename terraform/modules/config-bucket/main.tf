# Private, owner-enforced, encrypted and TLS-only like every bucket here (modules/private-bucket).
module "bucket" {
  source = "../private-bucket"

  name                     = var.name
  kms_key_arn              = var.kms_key_arn
  enforce_secure_transport = var.enforce_secure_transport
  force_destroy            = var.force_destroy

  tags = var.tags
}

# Versions keep earlier configurations (and so earlier secrets) recoverable after a bad `ddns host` edit.
resource "aws_s3_bucket_versioning" "this" {
  bucket = module.bucket.bucket

  versioning_configuration {
    status = "Enabled"
  }
}

# Old versions hold old secrets (rotated, or of hosts since removed): they expire after a while, so a
# leaked secret does not stay readable (and restorable) forever. Null keeps every version.
resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = var.noncurrent_version_expiration_days == null ? 0 : 1

  bucket = module.bucket.bucket

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  # A lifecycle rule on a bucket whose versioning is still being enabled is refused.
  depends_on = [aws_s3_bucket_versioning.this]
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
