output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "api_url" {
  description = "Base URL clients call: `https://<domain_name>/` with a custom domain, else the `$default` stage's execute-api URL."
  value       = local.custom_domain ? "https://${var.domain_name}/" : aws_apigatewayv2_stage.this.invoke_url
}

output "execute_api_url" {
  description = "The `$default` stage's execute-api URL, which keeps working alongside a custom domain."
  value       = aws_apigatewayv2_stage.this.invoke_url
}

output "route_keys" {
  description = "Route keys the API serves."
  value       = local.route_keys
}

output "access_log_group_name" {
  description = "Name of the access log group."
  value       = aws_cloudwatch_log_group.access.name
}

output "domain_target" {
  description = "Regional endpoint the custom domain's alias records point to, or null without a custom domain."
  value       = try(aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].target_domain_name, null)
}
