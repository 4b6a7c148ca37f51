variable "name" {
  description = "DNS name of the hosted zone, e.g. `dyn.example.com` (a trailing dot is accepted)."
  type        = string
}

variable "create" {
  description = "Create the hosted zone. When false, the existing zone given by `zone_id` is used and left unmanaged."
  type        = bool
  default     = true
}

variable "zone_id" {
  description = "ID of an existing public hosted zone named `name`; required when `create` is false."
  type        = string
  default     = null
}

variable "comment" {
  description = "Comment stored on a created hosted zone."
  type        = string
  default     = "Dynamic DNS records managed by route53-ddns"
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete a created zone that still holds the records the function wrote."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to a created hosted zone."
  type        = map(string)
  default     = {}
}
