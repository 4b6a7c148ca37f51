variable "name" {
  description = "Name of the deployment; the writer function, its role and log group are `<name>-writer`."
  type        = string
}

variable "package_path" {
  description = "Path of the deployment zip that `make build` writes; the writer runs its `writer.mjs` (`writer.handler`)."
  type        = string
}

variable "runtime" {
  description = "Lambda runtime identifier."
  type        = string
  default     = "nodejs22.x"
}

variable "architecture" {
  description = "Instruction set of the function: `arm64` or `x86_64`."
  type        = string
  default     = "arm64"
}

variable "memory_size" {
  description = "Memory of the writer in MB; a batch of 1,000 messages is a few hundred kB."
  type        = number
  default     = 256
}

variable "timeout" {
  description = "Writer timeout in seconds: time for a whole batch, paced (1,000 messages at 2 calls a second take a few seconds)."
  type        = number
  default     = 60
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the writer's log lines."
  type        = number
  default     = 30
}

variable "environment" {
  description = "Environment of the writer (config, reserved names, metrics namespace, event bus: the request function's, without its queue URL); `DDNS_WRITER_CHANGES_PER_SECOND` is added here."
  type        = map(string)
}

variable "zone_arn" {
  description = "ARN of the hosted zone whose records the writer may read and change."
  type        = string
}

variable "zone_name" {
  description = "Name of that hosted zone in lower case without the trailing dot; limits the record names the writer may change."
  type        = string
}

variable "api_domain_name" {
  description = "The API's custom domain name, if any: the writer's role may never change it, nor its `_acme-challenge` TXT record."
  type        = string
  default     = null
}

variable "allow_apex_certificates" {
  description = "Let ACME accounts write `_acme-challenge.<zone>` (certificates for the apex and `*.<zone>`, which cover the API's domain and every host). False: the role is denied that name."
  type        = bool
  default     = false
}

variable "queue_arn" {
  description = "ARN of the change queue (modules/change-queue) the writer consumes."
  type        = string
}

variable "queue_visibility_timeout_seconds" {
  description = "The change queue's visibility timeout, checked against the writer's timeout."
  type        = number
}

variable "batch_size" {
  description = "Most messages per writer invocation (1 to 10,000). One ChangeResourceRecordSets holds 1,000 elements (an UPSERT counts twice), so 1,000 messages fill about one to three calls."
  type        = number
  default     = 1000

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000 && floor(var.batch_size) == var.batch_size
    error_message = "batch_size must be a whole number from 1 to 10,000 (SQS's limit for a standard queue)."
  }
}

variable "maximum_batching_window_in_seconds" {
  description = "Seconds Lambda's poller gathers messages before it invokes the writer with less than a full batch (1 to 300; Lambda needs at least 1 for a batch size above 10)."
  type        = number
  default     = 2

  validation {
    condition     = var.maximum_batching_window_in_seconds >= 1 && var.maximum_batching_window_in_seconds <= 300 && floor(var.maximum_batching_window_in_seconds) == var.maximum_batching_window_in_seconds
    error_message = "maximum_batching_window_in_seconds must be a whole number from 1 to 300."
  }
}

variable "maximum_concurrency" {
  description = "Most writers running at once (`ScalingConfig.MaximumConcurrency`, 2 to 1,000); with `changes_per_second` it bounds the deployment's Route 53 rate."
  type        = number
  default     = 2

  validation {
    condition     = var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000 && floor(var.maximum_concurrency) == var.maximum_concurrency
    error_message = "maximum_concurrency must be a whole number from 2 to 1,000 (Lambda's limits)."
  }
}

variable "changes_per_second" {
  description = "ChangeResourceRecordSets calls per second each writer may send (`DDNS_WRITER_CHANGES_PER_SECOND`); times `maximum_concurrency` it must stay at most 8, under Route 53's 10 a second per account."
  type        = number
  default     = 2

  validation {
    condition     = var.changes_per_second > 0 && var.changes_per_second <= 8
    error_message = "changes_per_second must be above 0 and at most 8."
  }
}

variable "state_bucket" {
  description = "Bucket of the applied marks (modules/state-bucket, `DDNS_WRITER_STATE_BUCKET`)."
  type        = string
}

variable "mark_days" {
  description = "Days an applied mark is kept (`DDNS_WRITER_MARK_DAYS`): the state bucket's expiry of `applied/`, longer than the dead-letter queue keeps a message."
  type        = number
  default     = 30
}

variable "state_bucket_arn" {
  description = "ARN of that bucket: the writer may read and write `applied/*` in it, and nothing else."
  type        = string
}

variable "event_bus_arn" {
  description = "ARN of the EventBridge bus the writer announces changes on (`DDNS_EVENT_BUS` in `environment`); null: no events, no permission."
  type        = string
  default     = null
}

variable "read_config_statements" {
  description = "Policy statements that let the writer read the config (modules/function's `read_config_statements`), for the ownership check it repeats before each write."
  type        = any
  default     = []
}

variable "assume_role_policy_json" {
  description = "Trust policy letting Lambda assume the writer's role (modules/function's `assume_role_policy_json`)."
  type        = string
}

variable "tags" {
  description = "Tags added to the function, its role and its log group."
  type        = map(string)
  default     = {}
}
