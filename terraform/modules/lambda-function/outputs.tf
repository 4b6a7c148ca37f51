output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN API Gateway uses to invoke the function."
  value       = aws_lambda_function.this.invoke_arn
}

# Read back from the function, not from the inputs, so the callers' tests check what is planned.
output "settings" {
  description = "The function's planned settings: handler, runtime, architectures, memory_size, timeout, reserved_concurrent_executions, filename, source_code_hash and logging_config."
  value = {
    handler                        = aws_lambda_function.this.handler
    runtime                        = aws_lambda_function.this.runtime
    architectures                  = aws_lambda_function.this.architectures
    memory_size                    = aws_lambda_function.this.memory_size
    timeout                        = aws_lambda_function.this.timeout
    reserved_concurrent_executions = aws_lambda_function.this.reserved_concurrent_executions
    filename                       = aws_lambda_function.this.filename
    source_code_hash               = aws_lambda_function.this.source_code_hash
    logging_config                 = aws_lambda_function.this.logging_config
  }
}

output "environment" {
  description = "The function's environment variables, as planned."
  value       = aws_lambda_function.this.environment[0].variables
}

output "role_name" {
  description = "Name of the function's IAM role."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = aws_iam_role.this.arn
}

output "assume_role_policy_json" {
  description = "The role's trust policy, as planned."
  value       = aws_iam_role.this.assume_role_policy
}

output "policy_json" {
  description = "The role's least-privilege inline policy document (`WriteOwnLogs` first, then the given statements)."
  value       = aws_iam_role_policy.this.policy
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the function's log group."
  value       = aws_cloudwatch_log_group.this.arn
}

output "log_retention_days" {
  description = "Days the log group keeps the function's log lines, as planned."
  value       = aws_cloudwatch_log_group.this.retention_in_days
}
