variable "name" {
  description = "Prefix of the bucket name; S3 appends a unique suffix so the name is free in every account. At most 36 characters."
  type        = string
}

variable "expiration_days" {
  description = "Days after which S3 deletes a slot object. A slot matters for one second; 1 (S3's smallest unit) keeps the bucket small. Null: no lifecycle rule, the objects stay (emulators only)."
  type        = number
  default     = 1

  validation {
    condition     = var.expiration_days == null || try(var.expiration_days >= 1 && floor(var.expiration_days) == var.expiration_days, false)
    error_message = "expiration_days must be null or a whole number of days from 1."
  }
}

variable "enforce_secure_transport" {
  description = "Attach a bucket policy that denies every request made without TLS. Only emulators that cannot evaluate policy conditions turn this off."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to the bucket."
  type        = map(string)
  default     = {}
}
