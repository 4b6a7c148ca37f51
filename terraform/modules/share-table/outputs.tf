output "table_name" {
  description = "Name of the table (`DDNS_SHARE_TABLE` of the request function)."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the table, for the request function's one statement on it."
  value       = aws_dynamodb_table.this.arn
}
