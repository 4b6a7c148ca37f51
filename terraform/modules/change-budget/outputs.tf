output "bucket" {
  description = "Name of the change-budget bucket (`DDNS_CHANGE_BUDGET_BUCKET`)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the change-budget bucket, for the function's IAM policy."
  value       = aws_s3_bucket.this.arn
}

output "policy_json" {
  description = "The TLS-only bucket policy document, or null when `enforce_secure_transport` is false."
  value       = try(aws_s3_bucket_policy.this[0].policy, null)
}

output "expiration_days" {
  description = "Days after which slot objects are deleted, or null when they are kept."
  value       = try(one(one(aws_s3_bucket_lifecycle_configuration.this[0].rule).expiration).days, null)
}
