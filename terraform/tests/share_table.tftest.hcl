# The share-table module: the request function's fair-share counts (src/queue/dynamodb-shares.ts).

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name = "ddns-shares"
}

run "on_demand_keyed_by_id_and_expiring" {
  command = plan

  module {
    source = "./modules/share-table"
  }

  assert {
    condition     = output.table_name == "ddns-shares" && aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    error_message = "The table must be named as asked and billed on demand (a storm needs no planned capacity)."
  }

  # The adapter's key: a string `id`, nothing else in the key schema.
  assert {
    condition     = aws_dynamodb_table.this.hash_key == "id" && aws_dynamodb_table.this.range_key == null && [for a in aws_dynamodb_table.this.attribute : "${a.name}:${a.type}"] == ["id:S"]
    error_message = "The table must be keyed by the string attribute id alone."
  }

  assert {
    condition     = one(aws_dynamodb_table.this.ttl).attribute_name == "expires" && one(aws_dynamodb_table.this.ttl).enabled
    error_message = "DynamoDB's TTL must delete counts by their expires attribute."
  }
}
