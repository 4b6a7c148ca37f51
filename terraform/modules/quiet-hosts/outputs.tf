output "function_name" {
  description = "Name of the job's Lambda function."
  value       = module.lambda.function_name
}

output "environment" {
  description = "The job's environment variables."
  value       = module.lambda.environment
}

output "policy_json" {
  description = "The job role's least-privilege inline policy document."
  value       = module.lambda.policy_json
}

output "schedule_input" {
  description = "What the schedule sends the job: its period and the log group to query."
  value       = local.schedule_input
}
