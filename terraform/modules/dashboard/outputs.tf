output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_body" {
  description = "The dashboard's JSON, as CloudWatch stores it."
  value       = aws_cloudwatch_dashboard.this.dashboard_body
}
