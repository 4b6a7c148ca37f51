variable "name" {
  description = "Prefix of the bucket's name (S3 adds a unique suffix)."
  type        = string
}

variable "lifecycle_rules" {
  description = "Expire marks after `mark_expiration_days`; false leaves out the lifecycle rule (emulators only)."
  type        = bool
  default     = true
}

variable "mark_expiration_days" {
  description = "Days after which the writer's applied marks (`applied/`) expire: longer than the dead-letter queue keeps a message."
  type        = number
  default     = 30

  validation {
    condition     = var.mark_expiration_days >= 15
    error_message = "Marks must outlive the dead-letter queue's longest retention (14 days): at least 15 days."
  }
}

variable "enforce_secure_transport" {
  description = "Deny every request to the bucket that does not use TLS."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to the bucket."
  type        = map(string)
  default     = {}
}
