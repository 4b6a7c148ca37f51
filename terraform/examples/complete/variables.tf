variable "name" {
  description = "Name of the deployment (function, API, role, log groups, bucket prefix)."
  type        = string
  default     = "ddns"
}

variable "region" {
  description = "AWS region to deploy into."
  type        = string
}

variable "zone_name" {
  description = "Subdomain delegated to Route 53 for the dynamic records, e.g. `dyn.example.com`."
  type        = string
}

variable "lambda_package" {
  description = "Path of the function's zip; null uses the `dist/lambda.zip` that `make build` writes."
  type        = string
  default     = null
}

variable "domain_name" {
  description = "Custom domain for the API inside `zone_name`, e.g. `ddns.dyn.example.com`; null for the execute-api URL only."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "ARN of a customer-managed KMS key for the configuration bucket; null for SSE-S3."
  type        = string
  default     = null
}

variable "alarm_email" {
  description = "Email address that receives the alarms; null turns the alarms off."
  type        = string
  default     = null
}
