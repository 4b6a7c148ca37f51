variable "name" {
  description = "Name of the web ACL and of its metric; also the distribution's comment."
  type        = string
}

variable "api_endpoint" {
  description = "The HTTP API's execute-api URL (`https://<id>.execute-api.<region>.amazonaws.com/`), the distribution's only origin."
  type        = string

  validation {
    condition     = can(regex("^https://[a-z0-9]+\\.execute-api\\.[a-z0-9-]+\\.amazonaws\\.com/?$", var.api_endpoint))
    error_message = "api_endpoint must be an execute-api URL such as https://abc123.execute-api.us-east-1.amazonaws.com/."
  }
}

variable "origin_secret" {
  description = "Value of the `x-ddns-edge-secret` header CloudFront adds to every origin request; the function (`DDNS_EDGE_SECRET`) refuses requests without it and trusts `CloudFront-Viewer-Address` only with it."
  type        = string
  sensitive   = true
}

variable "rate_limit" {
  description = "Requests one client address may make per evaluation window before WAF answers 429 (WAF's minimum is 10)."
  type        = number

  validation {
    condition     = var.rate_limit >= 10 && var.rate_limit <= 2000000000 && floor(var.rate_limit) == var.rate_limit
    error_message = "rate_limit must be a whole number from 10 (WAF's minimum) to 2,000,000,000."
  }
}

variable "evaluation_window_seconds" {
  description = "The window WAF counts each address's requests over: 60, 120, 300 or 600 seconds."
  type        = number
  default     = 300

  validation {
    condition     = contains([60, 120, 300, 600], var.evaluation_window_seconds)
    error_message = "evaluation_window_seconds must be 60, 120, 300 or 600."
  }
}

variable "price_class" {
  description = "CloudFront price class: which edge locations serve the API (`PriceClass_100`: North America and Europe)."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "tags" {
  description = "Tags added to the distribution and the web ACL."
  type        = map(string)
  default     = {}
}
