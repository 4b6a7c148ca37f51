output "bucket" {
  description = "Name of the configuration bucket."
  value       = module.bucket.bucket
}

output "bucket_arn" {
  description = "ARN of the configuration bucket."
  value       = module.bucket.bucket_arn
}

output "policy_json" {
  description = "The TLS-only bucket policy document, or null when `enforce_secure_transport` is false."
  value       = module.bucket.policy_json
}

output "noncurrent_version_expiration_days" {
  description = "Days old versions of the configuration stay restorable, or null when they are kept forever."
  value       = try(one(one(aws_s3_bucket_lifecycle_configuration.this[0].rule).noncurrent_version_expiration).noncurrent_days, null)
}
