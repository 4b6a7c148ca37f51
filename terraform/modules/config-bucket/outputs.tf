output "bucket" {
  description = "Name of the configuration bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the configuration bucket."
  value       = aws_s3_bucket.this.arn
}

output "policy_json" {
  description = "The TLS-only bucket policy document, or null when `enforce_secure_transport` is false."
  value       = try(aws_s3_bucket_policy.this[0].policy, null)
}

output "noncurrent_version_expiration_days" {
  description = "Days old versions of the configuration stay restorable, or null when they are kept forever."
  value       = try(one(one(aws_s3_bucket_lifecycle_configuration.this[0].rule).noncurrent_version_expiration).noncurrent_days, null)
}
