# A bucket no one outside the account can read: the settings every bucket of this deployment shares,
# kept in one place so a security fix lands once. What the bucket holds (versioning, lifecycle rules)
# belongs to the module that calls this one.
resource "aws_s3_bucket" "this" {
  bucket_prefix = "${var.name}-"
  force_destroy = var.force_destroy

  tags = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    # A bucket key cuts KMS requests (and their cost) to one per bucket and data key, not one per GET.
    bucket_key_enabled = var.kms_key_arn != null
  }
}

locals {
  # Deny any request that does not use TLS, on the bucket and on every object in it.
  tls_only_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
        Condition = {
          Bool = { "aws:SecureTransport" = "false" }
        }
      },
    ]
  }
}

resource "aws_s3_bucket_policy" "this" {
  count = var.enforce_secure_transport ? 1 : 0

  bucket = aws_s3_bucket.this.id
  policy = jsonencode(local.tls_only_policy)

  # S3 rejects a policy put while the public access block is still being applied.
  depends_on = [aws_s3_bucket_public_access_block.this]
}
