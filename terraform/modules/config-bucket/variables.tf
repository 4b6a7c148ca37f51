variable "name" {
  description = "Prefix of the bucket name; S3 appends a unique suffix so the name is free in every account."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the bucket (SSE-KMS with a bucket key). Null encrypts with S3-managed keys (SSE-S3)."
  type        = string
  default     = null
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted version of the configuration (with the secrets it held) stays restorable before S3 deletes it. Null keeps every version forever."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days == null || try(var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days, false)
    error_message = "noncurrent_version_expiration_days must be null or a whole number of days from 1."
  }
}

variable "enforce_secure_transport" {
  description = "Attach a bucket policy that denies every request made without TLS. Only emulators that cannot evaluate policy conditions turn this off."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket while it still holds the configuration object and its versions."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to the bucket."
  type        = map(string)
  default     = {}
}
