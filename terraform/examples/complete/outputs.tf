output "api_url" {
  description = "Base URL routers and clients call."
  value       = module.ddns.api_url
}

output "name_servers" {
  description = "Create NS records for `zone_name` with these values in the parent zone."
  value       = module.ddns.name_servers
}

output "zone_id" {
  description = "ID of the hosted zone (`route_53_zone_id` in the configuration)."
  value       = module.ddns.zone_id
}

output "config_bucket" {
  description = "Bucket the operator CLI writes the configuration to."
  value       = module.ddns.config_bucket
}

output "config_key" {
  description = "Key of the configuration object."
  value       = module.ddns.config_key
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.ddns.function_name
}
