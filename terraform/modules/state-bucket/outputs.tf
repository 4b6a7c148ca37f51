output "bucket" {
  description = "Name of the bucket (`DDNS_SHARE_BUCKET` of the request function, `DDNS_WRITER_STATE_BUCKET` of the record writer)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the bucket, for the two roles' statements on their own prefixes."
  value       = aws_s3_bucket.this.arn
}
