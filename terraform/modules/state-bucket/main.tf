# Small objects the functions keep between execution environments (Lambda runs one request per
# environment, so nothing counted in memory is shared):
# - `shares/` — the request function's fair-share slots (src/queue/s3-shares.ts), created with
#   If-None-Match: *, worthless after their window;
# - `applied/` — the record writer's newest applied change per record (src/writer/s3-marks.ts), so a
#   redelivered older change never overwrites a newer one.
# Neither holds a secret: SSE-S3 (SSE-KMS would add a KMS request to every PUT).
resource "aws_s3_bucket" "this" {
  bucket_prefix = "${var.name}-"
  # Slots and marks are rebuilt by the next changes: they never stop a destroy.
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

# Without expiry the bucket would keep a slot per change forever. Marks must outlive the dead-letter
# queue's retention, so that a replayed old message is still recognised as old. Null: no rules
# (emulator stacks, whose lifecycle calls are slow).
resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = var.share_expiration_days == null ? 0 : 1

  bucket = aws_s3_bucket.this.id

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
