output "zone_id" {
  description = "ID of the hosted zone."
  value       = local.zone_id
}

output "zone_arn" {
  description = "ARN of the hosted zone, for IAM policies."
  value       = local.zone_arn
}

output "name" {
  description = "Name of the hosted zone in lower case without the trailing dot."
  value       = local.zone_name
}

output "name_servers" {
  description = "Name servers of the hosted zone: the NS records to create in the parent zone to delegate it."
  value       = local.name_servers
}
