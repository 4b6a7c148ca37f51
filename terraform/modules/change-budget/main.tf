# Slot objects only: a container may send one ChangeResourceRecordSets in a second when it created
# `slots/<unix-second>/<k>` with If-None-Match: *. The objects are empty, so SSE-S3: SSE-KMS would add
# a KMS request to every PUT.
resource "aws_s3_bucket" "this" {
  bucket_prefix = "${var.name}-"
  # Slots are worthless a second after they were made: they never stop a destroy.
  force_destroy = true

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
      sse_algorithm = "AES256"
    }
  }
}

# Declared rather than left out, so the choice shows (and is tested): keys are never reused, so
# versions would only keep dead slots. "Disabled" is valid only for a bucket that was never versioned;
# the provider then makes no call.
resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Disabled"
  }
}

# A slot matters for one second; without expiry the bucket would keep one object per Route 53 change
# forever. A day is S3's smallest unit. Null: no rule (emulators only).
resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = var.expiration_days == null ? 0 : 1

  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-slots"
    status = "Enabled"

    filter {}

    expiration {
      days = var.expiration_days
    }
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
