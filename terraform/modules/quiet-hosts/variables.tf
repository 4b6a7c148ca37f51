variable "name" {
  description = "Name of the deployment; the job's function, role and log group are `<name>-quiet-hosts`."
  type        = string
}

variable "every_minutes" {
  description = "Minutes between two runs of the check; a host is announced by the first run after its `expect_check_in_minutes` passed."
  type        = number

  validation {
    condition     = var.every_minutes >= 5 && var.every_minutes <= 60 && floor(var.every_minutes) == var.every_minutes
    error_message = "every_minutes must be a whole number from 5 to 60."
  }
}

variable "package_path" {
  description = "Path of the deployment zip `make build` writes; the job runs its `jobs.mjs` (`jobs.handler`)."
  type        = string
}

variable "runtime" {
  description = "Lambda runtime identifier (the request function's)."
  type        = string
  default     = "nodejs22.x"
}

variable "architecture" {
  description = "Instruction set of the function: `arm64` or `x86_64`."
  type        = string
  default     = "arm64"
}

variable "environment" {
  description = "Environment of the job: the request function's (config bucket and key, `DDNS_EVENT_BUS`, reserved names)."
  type        = map(string)

  validation {
    condition     = contains(keys(var.environment), "DDNS_EVENT_BUS")
    error_message = "The quiet-host check announces on the deployment's bus: the environment must set DDNS_EVENT_BUS."
  }
}

variable "request_log_group_name" {
  description = "Name of the request function's log group, which the check queries with Logs Insights."
  type        = string
}

variable "request_log_group_arn" {
  description = "ARN of that log group: the only one the job may `logs:StartQuery` on."
  type        = string
}

variable "read_config_statements" {
  description = "Policy statements to read the config, its shards (`<key>.d/*`) and decrypt them: the request function's (`read_config_statements` of modules/function)."
  type        = any
}

variable "assume_role_policy_json" {
  description = "Trust policy of the job's role: the request function's (Lambda may assume it)."
  type        = string
}

variable "event_bus_arn" {
  description = "ARN of the deployment's bus (the notifications module's): the only one the job may `events:PutEvents` on."
  type        = string
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the job's log lines."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to the function, its role, its log group and its rule."
  type        = map(string)
  default     = {}
}
