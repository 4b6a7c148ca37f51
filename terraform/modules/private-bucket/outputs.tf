output "bucket" {
  description = "Name of the bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "policy_json" {
  description = "The TLS-only bucket policy document, or null when `enforce_secure_transport` is false."
  value       = try(aws_s3_bucket_policy.this[0].policy, null)
}
