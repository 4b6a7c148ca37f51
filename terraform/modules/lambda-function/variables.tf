variable "name" {
  description = "Name of the function; also names its log group (`/aws/lambda/<name>`) and, without `role_name`, its IAM role."
  type        = string
}

variable "description" {
  description = "Description of the function."
  type        = string
}

variable "role_name" {
  description = "Name of the function's IAM role; null names it like the function."
  type        = string
  default     = null
}

variable "role_description" {
  description = "Description of the function's IAM role."
  type        = string
}

variable "handler" {
  description = "Entry point in the package, `<file>.<export>` (`index.handler`, `writer.handler`, `jobs.handler`)."
  type        = string
}

variable "package_path" {
  description = "Path of the deployment zip that `make build` writes; `source_code_hash` follows its content."
  type        = string

  validation {
    condition     = fileexists(var.package_path)
    error_message = "The Lambda package does not exist: run `make build` first, or set lambda_package to the zip's path."
  }
}

variable "runtime" {
  description = "Lambda runtime identifier."
  type        = string
}

variable "architecture" {
  description = "Instruction set of the function: `arm64` or `x86_64`."
  type        = string

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB (CPU scales with it)."
  type        = number
}

variable "timeout" {
  description = "Function timeout in seconds."
  type        = number
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for (and capping) the function; null leaves it unreserved."
  type        = number
  default     = null
}

variable "environment" {
  description = "Environment variables of the function."
  type        = map(string)
  default     = {}
}

variable "assume_role_policy_json" {
  description = "Trust policy of the role (JSON): who may assume it (Lambda)."
  type        = string
}

variable "policy_statements" {
  description = "IAM statements of the role's inline `least-privilege` policy, each an object with `Sid`, `Effect`, `Action`, `Resource` and optionally `Condition` (written as the policy's JSON names them). The module puts `WriteOwnLogs` (its own log group) first; a statement may not take that Sid."
  # any, not list(object(...)): statements differ in shape (a Condition or none), and an object type
  # would add `Condition = null` to those without one, changing the policy document.
  type    = any
  default = []

  validation {
    condition = can([for s in var.policy_statements : [s.Sid, s.Effect, s.Action, s.Resource]]) && alltrue([
      for s in var.policy_statements : try(s.Sid != "WriteOwnLogs", false)
    ])
    error_message = "policy_statements must be a list of IAM statements with Sid, Effect, Action and Resource, none named WriteOwnLogs (the module's own)."
  }

  validation {
    condition     = !can([for s in var.policy_statements : s.Sid]) || length(distinct([for s in var.policy_statements : s.Sid])) == length(var.policy_statements)
    error_message = "Each of policy_statements needs its own Sid."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the function's log lines."
  type        = number
}

variable "tags" {
  description = "Tags added to the function, its role and its log group."
  type        = map(string)
  default     = {}
}
