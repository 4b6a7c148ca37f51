variable "name" {
  description = "Name of the change queue; the dead-letter queue is `<name>-dlq`."
  type        = string
}

variable "visibility_timeout_seconds" {
  description = "Seconds a received batch stays hidden from other pollers; at least the writer's timeout (AWS recommends six times it)."
  type        = number
  default     = 360
}

variable "message_retention_seconds" {
  description = "Seconds the change queue keeps a message that nobody deleted (a change still wanted after a long Route 53 outage)."
  type        = number
  default     = 345600
}

variable "dead_letter_retention_seconds" {
  description = "Seconds the dead-letter queue keeps a failed change for `ddns queue replay`; 14 days, SQS's most."
  type        = number
  default     = 1209600
}

variable "max_receive_count" {
  description = "Deliveries of a message that all failed after which it moves to the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "max_receive_count must be a whole number from 1 to 1000."
  }
}

variable "enforce_secure_transport" {
  description = "Deny every request to both queues made without TLS (`aws:SecureTransport`). Keep true; only emulators that cannot evaluate policy conditions set it false."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to both queues."
  type        = map(string)
  default     = {}
}
