variable "name" {
  description = "Name of the dashboard (the deployment's name)."
  type        = string
}

variable "metrics_namespace" {
  description = "CloudWatch namespace the function's EMF metrics are in (`DDNS_METRICS_NAMESPACE`)."
  type        = string
}

variable "emf_catalogue" {
  description = "The function's metric catalogue (terraform/emf-metrics.json, decoded): the metrics, decisions and protocols the function emits."
  type = object({
    metrics   = map(object({ unit = string, dimensions = list(list(string)) }))
    decisions = map(string)
    protocols = map(string)
  })
}

variable "function_name" {
  description = "Name of the Lambda function, for Lambda's own metrics."
  type        = string
}

variable "api_id" {
  description = "ID of the HTTP API, for API Gateway's own metrics."
  type        = string
}

variable "writer_function_name" {
  description = "Name of the record writer function, for its Lambda metrics."
  type        = string
}

variable "change_queue_name" {
  description = "Name of the change queue, for its AWS/SQS metrics."
  type        = string
}

variable "dead_letter_queue_name" {
  description = "Name of the dead-letter queue, for its AWS/SQS metrics."
  type        = string
}
