output "function_name" {
  description = "Name of the job's Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "environment" {
  description = "The job's environment variables."
  value       = aws_lambda_function.this.environment[0].variables
}

output "policy_json" {
  description = "The job role's least-privilege inline policy document."
  value       = aws_iam_role_policy.this.policy
}

output "schedule_input" {
  description = "What the schedule sends the job: its period and the log group to query."
  value       = local.schedule_input
}
