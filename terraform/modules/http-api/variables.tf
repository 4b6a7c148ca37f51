variable "name" {
  description = "Name of the HTTP API; also names its access log group (`/aws/apigateway/<name>`)."
  type        = string
}

variable "function_name" {
  description = "Name of the Lambda function every route invokes."
  type        = string
}

variable "function_invoke_arn" {
  description = "Invoke ARN of that function."
  type        = string
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second the API accepts across all routes and callers before answering 429 (see terraform/README.md for sizing)."
  type        = number
  default     = 500
}

variable "throttling_burst_limit" {
  description = "Requests the API accepts in a burst above the steady rate."
  type        = number
  default     = 1000
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the access log."
  type        = number
  default     = 30
}

variable "domain_name" {
  description = "Custom domain name for the API (e.g. `ddns.dyn.example.com`), inside the zone. Null serves only the execute-api URL."
  type        = string
  default     = null
}

variable "zone_id" {
  description = "ID of the hosted zone where the custom domain's certificate validation and alias records go."
  type        = string
}

variable "zone_name" {
  description = "Name of that hosted zone in lower case without the trailing dot."
  type        = string
}

variable "tags" {
  description = "Tags added to the API, its stage, its log group and the custom domain's resources."
  type        = map(string)
  default     = {}
}
