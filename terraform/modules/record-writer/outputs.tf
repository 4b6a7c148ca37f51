output "function_name" {
  description = "Name of the writer function."
  value       = module.lambda.function_name
}

output "function_arn" {
  description = "ARN of the writer function."
  value       = module.lambda.function_arn
}

output "role_arn" {
  description = "ARN of the writer's IAM role, the only one of the deployment with Route 53 write rights."
  value       = module.lambda.role_arn
}

output "policy_json" {
  description = "The writer role's least-privilege inline policy document."
  value       = module.lambda.policy_json
}

output "log_group_name" {
  description = "Name of the writer's log group."
  value       = module.lambda.log_group_name
}

output "environment" {
  description = "Environment of the writer; the local stack's poller runs writer.mjs with it."
  value       = local.environment
}

output "event_source_mapping_uuid" {
  description = "ID of the event source mapping from the change queue to the writer."
  value       = aws_lambda_event_source_mapping.this.uuid
}
