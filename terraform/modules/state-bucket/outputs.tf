output "bucket" {
  description = "Name of the bucket (`DDNS_WRITER_STATE_BUCKET` of the record writer)."
  value       = module.bucket.bucket
}

output "mark_expiration_days" {
  description = "Days the applied marks are kept: the record writer drops older marks when it rewrites a shard (`DDNS_WRITER_MARK_DAYS`)."
  value       = var.mark_expiration_days
}

output "bucket_arn" {
  description = "ARN of the bucket, for the writer's statements on `applied/`."
  value       = module.bucket.bucket_arn
}
