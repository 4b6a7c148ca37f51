output "url" {
  description = "Base URL routers call through the edge, ending in `/`."
  value       = "https://${aws_cloudfront_distribution.this.domain_name}/"
}

output "distribution_id" {
  description = "ID of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.id
}

output "web_acl_arn" {
  description = "ARN of the WAF web ACL (scope CLOUDFRONT, in us-east-1)."
  value       = aws_wafv2_web_acl.this.arn
}
