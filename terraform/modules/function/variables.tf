variable "name" {
  description = "Name of the function; also names its IAM role (`<name>-function`) and log group (`/aws/lambda/<name>`)."
  type        = string
}

variable "package_path" {
  description = "Path of the deployment zip (`index.mjs` exporting `handler`, plus its chunks) that `make build` writes."
  type        = string

  validation {
    condition     = fileexists(var.package_path)
    error_message = "The Lambda package does not exist: run `make build` first, or set lambda_package to the zip's path."
  }
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
  description = "Memory of the function in MB (CPU scales with it)."
  type        = number
  default     = 128
}

variable "timeout" {
  description = "Function timeout in seconds; must stay below API Gateway's 30-second integration limit."
  type        = number
  default     = 10
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for (and capping) the function; null leaves it unreserved. Reserving needs an account concurrency quota that keeps 100 unreserved."
  type        = number
  default     = null
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the function's log lines."
  type        = number
  default     = 30
}

variable "config_bucket" {
  description = "Name of the bucket holding the configuration object (`DDNS_CONFIG_BUCKET`)."
  type        = string
}

variable "config_bucket_arn" {
  description = "ARN of the bucket holding the configuration object, for the IAM policy."
  type        = string
}

variable "config_key" {
  description = "Key of the configuration object in the bucket (`DDNS_CONFIG_KEY`)."
  type        = string
  default     = "config.json"
}

variable "config_cache_seconds" {
  description = "Seconds the function reuses its parsed configuration before revalidating it (`DDNS_CONFIG_CACHE_SECONDS`)."
  type        = number
  default     = 60
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting the bucket; when set, the function may use it to decrypt. Null for SSE-S3."
  type        = string
  default     = null
}

variable "zone_arn" {
  description = "ARN of the hosted zone whose records the function may read (never change: the record writer does)."
  type        = string
}

variable "zone_name" {
  description = "Name of that hosted zone in lower case without the trailing dot; the apex is a reserved name (`DDNS_RESERVED_NAMES`)."
  type        = string
}

variable "api_domain_name" {
  description = "The API's custom domain name, if any. Like the zone apex, it can never be a dynamic host: the function refuses it (`DDNS_RESERVED_NAMES`) and its role is denied changes to it."
  type        = string
  default     = null
}

variable "edge_secret" {
  description = "The origin secret CloudFront adds when the API sits behind the per-address limit (`DDNS_EDGE_SECRET`); null when it does not."
  type        = string
  default     = null
}

variable "name_servers" {
  description = "The zone's authoritative name servers (`host[:port]`), which the function asks over DNS for the no-change check (`DDNS_NAME_SERVERS`). Null: the function learns them with one route53:GetHostedZone per container, and only then is that action granted."
  type        = list(string)
  default     = null
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the metrics in the function's log lines (`DDNS_METRICS_NAMESPACE`)."
  type        = string
  default     = "route53-ddns"
}

variable "event_bus_name" {
  description = "Name of the EventBridge bus of the change events (`DDNS_EVENT_BUS`), which the record writer and the quiet-host check publish on; the request function itself publishes nothing. Null: no change events."
  type        = string
  default     = null
}

variable "change_queue_url" {
  description = "URL of the change queue (modules/change-queue) the function sends wanted record changes to (`DDNS_CHANGE_QUEUE_URL`)."
  type        = string
}

variable "change_queue_arn" {
  description = "ARN of that queue: the only one the function may `sqs:SendMessage` to."
  type        = string
}

variable "share_table" {
  description = "DynamoDB table of the fair-share counts (modules/share-table, `DDNS_SHARE_TABLE`)."
  type        = string
}

variable "share_table_arn" {
  description = "ARN of that table: the function may update its counts, and nothing else in it."
  type        = string
}

variable "tags" {
  description = "Tags added to the function, its role and its log group."
  type        = map(string)
  default     = {}
}
