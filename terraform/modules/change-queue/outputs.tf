output "queue_url" {
  description = "URL of the change queue (`DDNS_CHANGE_QUEUE_URL`)."
  value       = aws_sqs_queue.this.id
}

output "queue_arn" {
  description = "ARN of the change queue, for IAM and the event source mapping."
  value       = aws_sqs_queue.this.arn
}

output "queue_name" {
  description = "Name of the change queue, for CloudWatch's AWS/SQS metrics."
  value       = aws_sqs_queue.this.name
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue (`ddns queue status|replay`)."
  value       = aws_sqs_queue.dead_letter.id
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.arn
}

output "dead_letter_queue_name" {
  description = "Name of the dead-letter queue, for CloudWatch's AWS/SQS metrics."
  value       = aws_sqs_queue.dead_letter.name
}

output "queue_policy_json" {
  description = "The change queue's TLS-only policy, or null when `enforce_secure_transport` is false."
  value       = try(aws_sqs_queue_policy.this[0].policy, null)
}

output "dead_letter_queue_policy_json" {
  description = "The dead-letter queue's TLS-only policy, or null when `enforce_secure_transport` is false."
  value       = try(aws_sqs_queue_policy.dead_letter[0].policy, null)
}
