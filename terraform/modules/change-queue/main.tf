# The change queue between the request function (which decides) and the record writer (which alone may
# write Route 53), and its dead-letter queue. Standard queues: the writer orders changes itself (newest
# request wins, per name), so FIFO's ordering would buy nothing and cap the throughput.
locals {
  # Every request without TLS is refused, by the queue itself, whoever's credentials sign it.
  deny_insecure_transport = {
    for key, queue in { change = aws_sqs_queue.this, dead_letter = aws_sqs_queue.dead_letter } : key => {
      Version                  = "2012-10-17"
      Statement = [
        {
          Sid       = "DenyInsecureTransport"
          Effect    = "Deny"
          Principal = "*"
          Action    = "sqs:*"
          Resource  = queue.arn
          Condition = { Bool = { "aws:SecureTransport" = "false" } }
        },
      ]
    }
  }
}

# A change that failed max_receive_count times in a row lands here; `ddns queue replay` sends it back.
resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = var.dead_letter_retention_seconds
  sqs_managed_sse_enabled   = true

  tags = var.tags
}

resource "aws_sqs_queue" "this" {
  name = var.name
  # Lambda's poller hides a batch for this long while the writer works on it: AWS asks for at least the
  # writer's timeout, and recommends six times it so throttled retries do not redeliver too early.
  visibility_timeout_seconds = var.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  # Changes are wanted state, not secrets, but the queue is encrypted at rest all the same.
  sqs_managed_sse_enabled = true

  tags = var.tags

  # aws_sqs_queue_redrive_policy below owns the attribute.
  lifecycle {
    ignore_changes = [redrive_policy]
  }
}

# A resource of its own rather than the queue's redrive_policy argument: the queue's argument compares
# the JSON as text, so an endpoint that returns it reformatted (moto does) shows a change on every plan;
# this resource compares it as JSON.
resource "aws_sqs_queue_redrive_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })
}

resource "aws_sqs_queue_policy" "this" {
  count = var.enforce_secure_transport ? 1 : 0

  queue_url = aws_sqs_queue.this.id
  policy    = jsonencode(local.deny_insecure_transport.change)

  # One attribute change at a time on the queue: an emulator that rewrites the attributes on each
  # change (moto) otherwise loses one of the two, and the provider waits for it until its timeout.
  depends_on = [aws_sqs_queue_redrive_policy.this]
}

resource "aws_sqs_queue_policy" "dead_letter" {
  count = var.enforce_secure_transport ? 1 : 0

  queue_url = aws_sqs_queue.dead_letter.id
  policy    = jsonencode(local.deny_insecure_transport.dead_letter)
}
