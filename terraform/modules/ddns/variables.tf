variable "zone_name" {
  description = "DNS zone the dynamic records live in, e.g. `dyn.example.com`. Created by default; with `create_zone = false` it must be the name of the zone given by `zone_id`."
  type        = string

  validation {
    condition     = length(var.zone_name) <= 254 && can(regex("^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]\\.?$", var.zone_name))
    error_message = "zone_name must be a DNS name with at least two labels, e.g. dyn.example.com."
  }
}

variable "create_zone" {
  description = "Create the public hosted zone `zone_name`. Set false to use the existing zone given by `zone_id`."
  type        = bool
  default     = true
}

variable "zone_id" {
  description = "ID of an existing public hosted zone named `zone_name`, used when `create_zone` is false."
  type        = string
  default     = null

  validation {
    condition     = var.zone_id == null || can(regex("^[A-Z0-9]{1,32}$", coalesce(var.zone_id, "-")))
    error_message = "zone_id must be a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ (without /hostedzone/)."
  }
}

variable "name" {
  description = "Name of this deployment: names the function, the API, the IAM role, the log groups and the bucket prefix."
  type        = string
  default     = "ddns"

  validation {
    # S3 bucket prefixes are at most 37 characters and the bucket's is "<name>-config-".
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,27}[a-z0-9])?$", var.name))
    error_message = "name must be 1 to 29 lower-case letters, digits or hyphens, starting and ending with a letter or digit."
  }
}

variable "lambda_package" {
  description = "Path of the function's deployment zip. Null uses `dist/lambda.zip` at the top of the repository, which `make build` writes."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_package == null || endswith(lower(coalesce(var.lambda_package, "-")), ".zip")
    error_message = "lambda_package must be the path of a .zip file."
  }
}

variable "runtime" {
  description = "Lambda runtime of the function. The bundle targets Node.js 22; `nodejs24.x` needs AWS provider 6.x."
  type        = string
  default     = "nodejs22.x"

  validation {
    condition     = can(regex("^nodejs(2[2-9]|[3-9][0-9])\\.x$", var.runtime))
    error_message = "runtime must be a Node.js runtime from nodejs22.x on: the bundle targets Node.js 22."
  }
}

variable "architecture" {
  description = "Instruction set of the function: `arm64` (cheaper per GB-second) or `x86_64`."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB; CPU scales with it."
  type        = number
  default     = 128

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout" {
  description = "Function timeout in seconds. API Gateway gives up after 30 s, so it must stay below that."
  type        = number
  default     = 10

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 29 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 1 to 29 (API Gateway's integration limit is 30 s)."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for the function, which also caps it (and so what abuse can cost in Lambda time). AWS keeps 100 of the account's concurrency unreserved, so this needs an account quota of at least 100 more (new accounts may start at 10: set null there). Null leaves it unreserved; 0 stops all invocations."
  type        = number
  default     = 100

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 0 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions, false)
    error_message = "reserved_concurrent_executions must be null or a whole number from 0."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the function's log and the API's access log."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second the API accepts across all clients before answering 429. Sized well above a fleet's peak (about 2 × routers / 60 s for clients run from cron with a 60 s jitter), since one abusive address counts against it too; it also bounds what abuse can cost (terraform/README.md)."
  type        = number
  default     = 500

  validation {
    condition     = var.throttling_rate_limit > 0
    error_message = "throttling_rate_limit must be greater than 0."
  }
}

variable "throttling_burst_limit" {
  description = "Requests the API accepts in a burst above the steady rate (routers whose cron fires on the same minute)."
  type        = number
  default     = 1000

  validation {
    condition     = var.throttling_burst_limit >= 1 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a whole number of at least 1."
  }
}

variable "config_key" {
  description = "Key of the configuration object in the bucket (`DDNS_CONFIG_KEY`); the operator CLI writes it."
  type        = string
  default     = "config.json"

  validation {
    condition     = length(var.config_key) >= 1 && length(var.config_key) <= 1024 && !startswith(var.config_key, "/")
    error_message = "config_key must be an S3 object key of 1 to 1024 characters that does not start with a slash."
  }
}

variable "config_cache_seconds" {
  description = "Seconds the function reuses its parsed configuration before revalidating it with the object's ETag (`DDNS_CONFIG_CACHE_SECONDS`)."
  type        = number
  default     = 60

  validation {
    condition     = var.config_cache_seconds >= 0 && floor(var.config_cache_seconds) == var.config_cache_seconds
    error_message = "config_cache_seconds must be a whole number of seconds from 0."
  }
}

variable "kms_key_arn" {
  description = "ARN of a customer-managed KMS key to encrypt the configuration bucket with (SSE-KMS, bucket key on). Null uses S3-managed keys (SSE-S3)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID); an alias cannot be used in the function's IAM policy."
  }
}

variable "enforce_secure_transport" {
  description = "Deny every request to the configuration bucket and the change queues made without TLS. Keep true; only emulators that cannot evaluate policy conditions set it false."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the configuration bucket with its object versions and a created zone with the records the function wrote. Off, destroy stops at them."
  type        = bool
  default     = false
}

variable "domain_name" {
  description = "Custom domain for the API, inside `zone_name` (e.g. `ddns.dyn.example.com`): gets a DNS-validated ACM certificate and A/AAAA alias records. Null uses the execute-api URL only."
  type        = string
  default     = null

  validation {
    condition     = var.domain_name == null || can(regex("^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]$", coalesce(var.domain_name, "-")))
    error_message = "domain_name must be a DNS name without a trailing dot, e.g. ddns.dyn.example.com."
  }
}

variable "alarm_email" {
  description = "Email address that receives the alarms (AWS sends a confirmation link first). Alarms are created only when this, `alarm_sns_topic_arn` or `notify_emails` is set."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", coalesce(var.alarm_email, "-")))
    error_message = "alarm_email must be an email address."
  }
}

variable "alarm_sns_topic_arn" {
  description = "ARN of an existing SNS topic for the alarms (pager, chat integration). Null creates a topic when `alarm_email` is set."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]{1,256}$", coalesce(var.alarm_sns_topic_arn, "-")))
    error_message = "alarm_sns_topic_arn must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)."
  }
}

variable "alarm_5xx_rate_percent" {
  description = "Percentage of API requests answered 5xx above which, for two 5-minute periods in a row, the API alarm fires."
  type        = number
  default     = 5

  validation {
    condition     = var.alarm_5xx_rate_percent > 0 && var.alarm_5xx_rate_percent < 100
    error_message = "alarm_5xx_rate_percent must be between 0 and 100."
  }
}

variable "alarm_failed_auth_threshold" {
  description = "Failed authentications (log lines with \"decision\":\"badauth\") in 5 minutes at which the failed-authentication alarm fires."
  type        = number
  default     = 20

  validation {
    condition     = var.alarm_failed_auth_threshold >= 1
    error_message = "alarm_failed_auth_threshold must be at least 1."
  }
}

variable "alarm_throttling_threshold" {
  description = "Throttled requests (Lambda throttles plus Route 53 throttling the function) in 5 minutes at which the throttling alarm fires."
  type        = number
  default     = 1

  validation {
    condition     = var.alarm_throttling_threshold >= 1
    error_message = "alarm_throttling_threshold must be at least 1."
  }
}

variable "change_events" {
  description = "Create the EventBridge bus `<name>-events` and have the function announce every record change on it (`DDNS_EVENT_BUS`), for your own rules. `notify_emails` and `notify_webhook_url` turn it on too."
  type        = bool
  default     = false
}

variable "notify_emails" {
  description = "Addresses that get an email for every DNS record change (an SNS topic with one subscription each; AWS sends a confirmation link first). The alarms notify this topic too unless they have their own."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.notify_emails : can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", email))])
    error_message = "notify_emails must be email addresses."
  }
}

variable "notify_webhook_url" {
  description = "HTTPS URL that receives every change event as JSON (an EventBridge API destination). Null: no webhook."
  type        = string
  default     = null

  validation {
    condition     = var.notify_webhook_url == null || startswith(coalesce(var.notify_webhook_url, "-"), "https://")
    error_message = "notify_webhook_url must be an https:// URL."
  }
}

variable "notify_webhook_header_value" {
  description = "Value of the `X-Route53-DDNS-Token` header the webhook is called with, so the receiver can tell the calls are ours: a secret of at least 16 characters, required with `notify_webhook_url` (no default: a default would be public). Kept by EventBridge in Secrets Manager."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.notify_webhook_header_value == null || length(coalesce(var.notify_webhook_header_value, "-")) >= 16
    error_message = "notify_webhook_header_value must be a secret of at least 16 characters (e.g. openssl rand -hex 16)."
  }
}

variable "quiet_host_check_minutes" {
  description = "Run the quiet-host check every this many minutes (5-60): a second function from the same package announces each host with `expect_check_in_minutes` that stopped checking in as a `Host went quiet` event on the bus (needs `change_events`, `notify_emails` or `notify_webhook_url`). About $0.25 a month for 100 hosts checking in every 5 minutes, checked every 15 minutes (docs/operations.md). Null: no check."
  type        = number
  default     = null

  validation {
    condition     = var.quiet_host_check_minutes == null || try(var.quiet_host_check_minutes >= 5 && var.quiet_host_check_minutes <= 60 && floor(var.quiet_host_check_minutes) == var.quiet_host_check_minutes, false)
    error_message = "quiet_host_check_minutes must be a whole number of minutes from 5 to 60, or null."
  }
}

variable "dashboard" {
  description = "Create the CloudWatch dashboard `<name>` (free for the first three dashboards of an account, then $3 a month)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}
}

variable "config_noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted version of the configuration (and the secrets it held) stays restorable (`ddns config history|restore`) before S3 deletes it. Null keeps every version forever."
  type        = number
  default     = 30

  validation {
    condition     = var.config_noncurrent_version_expiration_days == null || try(var.config_noncurrent_version_expiration_days >= 1 && floor(var.config_noncurrent_version_expiration_days) == var.config_noncurrent_version_expiration_days, false)
    error_message = "config_noncurrent_version_expiration_days must be null or a whole number of days from 1."
  }
}

variable "state_lifecycle_rules" {
  description = "Expire the record writer's applied marks in the state bucket (modules/state-bucket) after 30 days. False leaves out the bucket's lifecycle rule (emulators only: the writer still drops old marks from every shard it rewrites)."
  type        = bool
  default     = true
}

variable "state_share_expiration_days" {
  description = "Deprecated and ignored: fair shares moved from the state bucket to a DynamoDB table whose TTL expires them (modules/share-table). Remove it from your variables; it will go in a later release."
  type        = number
  default     = null
}

variable "per_address_rate_limit" {
  description = "Requests one client address may make per `per_address_rate_window_seconds` before it gets 429. Set, it puts CloudFront with a WAF rate-based rule in front of the API (`api_url` becomes the CloudFront URL; extra monthly cost, see terraform/README.md). Null (the default) adds no edge."
  type        = number
  default     = null

  validation {
    condition     = var.per_address_rate_limit == null || try(var.per_address_rate_limit >= 10 && floor(var.per_address_rate_limit) == var.per_address_rate_limit, false)
    error_message = "per_address_rate_limit must be null or a whole number of at least 10 (WAF's minimum)."
  }
}

variable "per_address_rate_window_seconds" {
  description = "The window the per-address limit counts over: 60, 120, 300 or 600 seconds."
  type        = number
  default     = 300

  validation {
    condition     = contains([60, 120, 300, 600], var.per_address_rate_window_seconds)
    error_message = "per_address_rate_window_seconds must be 60, 120, 300 or 600."
  }
}

variable "writer_batch_size" {
  description = "Most queued changes per record-writer invocation (1 to 10,000). One ChangeResourceRecordSets holds 1,000 elements and an UPSERT counts twice, so the default 1,000 fills one to three calls."
  type        = number
  default     = 1000

  validation {
    condition     = var.writer_batch_size >= 1 && var.writer_batch_size <= 10000 && floor(var.writer_batch_size) == var.writer_batch_size
    error_message = "writer_batch_size must be a whole number from 1 to 10,000."
  }
}

variable "writer_batching_window_seconds" {
  description = "Seconds Lambda's poller gathers changes before it invokes the writer with less than a full batch (`maximum_batching_window_in_seconds`, 1 to 300). The default 2 bounds a single router's update to a few seconds and merges a storm into full batches."
  type        = number
  default     = 2

  validation {
    condition     = var.writer_batching_window_seconds >= 1 && var.writer_batching_window_seconds <= 300 && floor(var.writer_batching_window_seconds) == var.writer_batching_window_seconds
    error_message = "writer_batching_window_seconds must be a whole number from 1 to 300 (Lambda needs at least 1 for batches above 10)."
  }
}

variable "writer_maximum_concurrency" {
  description = "Most record writers running at once (`scaling_config.maximum_concurrency`, 2 to 1,000, Lambda's limits). With `writer_changes_per_second` it bounds the deployment's Route 53 rate."
  type        = number
  default     = 2

  validation {
    condition     = var.writer_maximum_concurrency >= 2 && var.writer_maximum_concurrency <= 1000 && floor(var.writer_maximum_concurrency) == var.writer_maximum_concurrency
    error_message = "writer_maximum_concurrency must be a whole number from 2 to 1,000."
  }
}

variable "writer_changes_per_second" {
  description = "ChangeResourceRecordSets calls per second each record writer may send (`DDNS_WRITER_CHANGES_PER_SECOND`). Route 53 allows about 10 per second per account: 2 per writer × 2 writers = 4 leaves room for the CLI and other tools; the product may be at most 8."
  type        = number
  default     = 2

  validation {
    condition     = var.writer_changes_per_second > 0 && var.writer_changes_per_second <= 8
    error_message = "writer_changes_per_second must be above 0 and at most 8 (Route 53's rate is about 10 per second per account)."
  }
}

variable "writer_timeout" {
  description = "Record-writer timeout in seconds (10 to 900); the change queue's visibility timeout is six times it, as AWS recommends for event source mappings."
  type        = number
  default     = 60

  validation {
    condition     = var.writer_timeout >= 10 && var.writer_timeout <= 900 && floor(var.writer_timeout) == var.writer_timeout
    error_message = "writer_timeout must be a whole number of seconds from 10 to 900."
  }
}

variable "writer_memory_size" {
  description = "Memory of the record writer in MB (128 to 10,240)."
  type        = number
  default     = 256

  validation {
    condition     = var.writer_memory_size >= 128 && var.writer_memory_size <= 10240 && floor(var.writer_memory_size) == var.writer_memory_size
    error_message = "writer_memory_size must be a whole number of MB from 128 to 10,240."
  }
}

variable "change_queue_max_receive_count" {
  description = "Failed deliveries of a queued change after which it moves to the dead-letter queue (an alarm fires; `npx ddns queue replay` sends it back)."
  type        = number
  default     = 5

  validation {
    condition     = var.change_queue_max_receive_count >= 1 && var.change_queue_max_receive_count <= 1000 && floor(var.change_queue_max_receive_count) == var.change_queue_max_receive_count
    error_message = "change_queue_max_receive_count must be a whole number from 1 to 1,000."
  }
}

variable "alarm_change_age_seconds" {
  description = "Age in seconds of the change queue's oldest message at which the queue-age alarm fires: the writer is not keeping up, or cannot write."
  type        = number
  default     = 300

  validation {
    condition     = var.alarm_change_age_seconds >= 60
    error_message = "alarm_change_age_seconds must be at least 60."
  }
}

variable "allow_apex_certificates" {
  description = "Let ACME accounts validate at `_acme-challenge.<zone_name>`, i.e. obtain certificates for the zone apex and `*.<zone_name>`, which also cover the API's custom domain and every host. Off (the default), the record writer's role is denied that name; `_acme-challenge.<domain_name>` is always denied."
  type        = bool
  default     = false
}
