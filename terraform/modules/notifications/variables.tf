variable "name" {
  description = "Name of the deployment; prefixes the bus, rule, topic, webhook and role names."
  type        = string
}

variable "emails" {
  description = "Addresses that receive one email per DNS record change (each confirms a link AWS sends first). Empty: no email."
  type        = list(string)
  default     = []
}

variable "webhook_url" {
  description = "HTTPS URL that receives every change event as JSON (POST). Null: no webhook."
  type        = string
  default     = null
}

variable "webhook_header_name" {
  description = "Header the webhook is called with (EventBridge connections always send one), e.g. for a shared secret the receiver checks."
  type        = string
  default     = "X-Route53-DDNS-Token"
}

variable "webhook_header_value" {
  description = "Value of that header: a secret the receiver checks, required with `webhook_url` (no default: a default would be public). Stored by EventBridge in Secrets Manager, never in the function."
  type        = string
  default     = null
  sensitive   = true
}

variable "webhook_rate_limit_per_second" {
  description = "Most webhook calls per second EventBridge makes; more wait (and are retried for up to 24 hours)."
  type        = number
  default     = 1
}

variable "tags" {
  description = "Tags added to the bus, rules, topic and role."
  type        = map(string)
  default     = {}
}
