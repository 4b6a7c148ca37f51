variable "name" {
  description = "Prefix of the bucket name; S3 appends a unique suffix so the name is free in every account."
  type        = string
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the bucket (SSE-KMS with a bucket key). Null encrypts with S3-managed keys (SSE-S3)."
  type        = string
  default     = null
}

variable "enforce_secure_transport" {
  description = "Attach a bucket policy that denies every request made without TLS. Only emulators that cannot evaluate policy conditions turn this off."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket while it still holds objects."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to the bucket."
  type        = map(string)
  default     = {}
}
