variable "name" {
  description = "Name of the deployment; prefixes the alarm, topic and metric filter names."
  type        = string
}

variable "email" {
  description = "Email address subscribed to the alarm topic (AWS sends a confirmation link first). Null subscribes nobody."
  type        = string
  default     = null
}

variable "sns_topic_arn" {
  description = "ARN of an existing SNS topic the alarms notify. Null creates a topic named `<name>-alarms`."
  type        = string
  default     = null
}

variable "function_name" {
  description = "Name of the Lambda function watched for errors."
  type        = string
}

variable "function_log_group_name" {
  description = "Log group of that function, named in the alarm descriptions."
  type        = string
}

variable "api_id" {
  description = "ID of the HTTP API watched for 5xx responses."
  type        = string
}

variable "api_5xx_rate_threshold_percent" {
  description = "Percentage of requests answered 5xx above which, for two 5-minute periods in a row, the API alarm fires."
  type        = number
  default     = 5
}

variable "failed_authentication_threshold" {
  description = "Failed authentications in 5 minutes at which the failed-authentication alarm fires."
  type        = number
  default     = 20
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the function's EMF metrics (`DDNS_METRICS_NAMESPACE`)."
  type        = string
}

variable "throttling_threshold" {
  description = "Throttled requests (Lambda throttles plus Route 53 throttling answered 429) in 5 minutes at which the throttling alarm fires."
  type        = number
  default     = 1
}

variable "writer_function_name" {
  description = "Name of the record writer function, watched for errors."
  type        = string
}

variable "change_queue_name" {
  description = "Name of the change queue, watched for the age of its oldest message."
  type        = string
}

variable "dead_letter_queue_name" {
  description = "Name of the change queue's dead-letter queue, watched for any message."
  type        = string
}

variable "change_age_threshold_seconds" {
  description = "Age in seconds of the change queue's oldest message at which the queue-age alarm fires (3 of 5 minutes)."
  type        = number
  default     = 300
}

variable "tags" {
  description = "Tags added to the topic and the alarms."
  type        = map(string)
  default     = {}
}
