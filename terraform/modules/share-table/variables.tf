variable "name" {
  description = "Name of the table."
  type        = string
}

variable "tags" {
  description = "Tags added to the table."
  type        = map(string)
  default     = {}
}
