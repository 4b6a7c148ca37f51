output "function_name" {
  description = "Name of the Lambda function."
  value       = module.lambda.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = module.lambda.function_arn
}

output "invoke_arn" {
  description = "ARN API Gateway uses to invoke the function."
  value       = module.lambda.invoke_arn
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = module.lambda.role_arn
}

output "policy_json" {
  description = "The role's least-privilege inline policy document."
  value       = module.lambda.policy_json
}

output "log_group_name" {
  description = "Name of the function's log group (JSON log lines, one per request)."
  value       = module.lambda.log_group_name
}

output "log_group_arn" {
  description = "ARN of that log group (the quiet-host check may query it)."
  value       = module.lambda.log_group_arn
}

output "environment" {
  description = "Environment variables of the function but the edge's origin secret; a local copy of the function (src/local) runs with the same ones, and is not behind the edge."
  value       = { for name, value in local.environment : name => value if name != "DDNS_EDGE_SECRET" }
}

output "read_config_statements" {
  description = "The policy statements that let the function read its config (and decrypt it with the bucket's key), for another role that reads the same config (modules/quiet-hosts)."
  value       = concat([local.read_config_statement], local.decrypt_config_statements)
}

output "assume_role_policy_json" {
  description = "The trust policy that lets Lambda assume the function's role, for another function's role."
  value       = jsonencode(local.assume_role_policy)
}
