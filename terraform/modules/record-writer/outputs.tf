output "function_name" {
  description = "Name of the writer function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the writer function."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the writer's IAM role, the only one of the deployment with Route 53 write rights."
  value       = aws_iam_role.this.arn
}

output "policy_json" {
  description = "The writer role's least-privilege inline policy document."
  value       = aws_iam_role_policy.this.policy
}

output "log_group_name" {
  description = "Name of the writer's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "environment" {
  description = "Environment of the writer; the local stack's poller runs writer.mjs with it."
  value       = local.environment
}

output "event_source_mapping_uuid" {
  description = "ID of the event source mapping from the change queue to the writer."
  value       = aws_lambda_event_source_mapping.this.uuid
}
