output "bucket" {
  description = "Name of the bucket (`DDNS_SHARE_BUCKET` of the request function, `DDNS_WRITER_STATE_BUCKET` of the record writer)."
  value       = module.bucket.bucket
}

output "bucket_arn" {
  description = "ARN of the bucket, for the two roles' statements on their own prefixes."
  value       = module.bucket.bucket_arn
}
