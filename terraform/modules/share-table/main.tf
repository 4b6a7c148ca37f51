# The request function's fair-share counts (src/queue/dynamodb-shares.ts): one item per host or ACME
# account and window, taken with one conditional UpdateItem per queued change. A table and not S3
# objects because a change's time in the request function is what reserved concurrency must cover:
# DynamoDB answers in single-digit milliseconds, an S3 PUT in tens (docs/performance.md).
#
# On demand: a quiet fleet pays for the changes it makes, a storm needs no capacity planned. Counts
# are worthless after their window and hold no secret (identities are hashed), so: no point-in-time
# recovery, no deletion protection, the default encryption at rest (an AWS owned key, no KMS request
# per change). DynamoDB's TTL deletes each item after its `expires`.
resource "aws_dynamodb_table" "this" {
  name         = var.name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  ttl {
    attribute_name = "expires"
    enabled        = true
  }

  tags = var.tags
}
