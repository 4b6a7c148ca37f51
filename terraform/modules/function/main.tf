locals {
  # Names a host may never hold (src/config/reserved-names.ts refuses them): the apex, and the API's
  # custom domain. The record writer's role is denied changing them too (modules/record-writer).
  reserved_names = distinct(compact([var.zone_name, var.api_domain_name == null ? null : lower(trimsuffix(var.api_domain_name, "."))]))

  # Where the config bucket lives: S3 asks KMS on the function's behalf from this region only.
  region = split(":", module.lambda.log_group_arn)[3]

  assume_role_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "LambdaAssumeRole"
        Effect    = "Allow"
        Principal = { Service = "lambda.amazonaws.com" }
        Action    = "sts:AssumeRole"
      },
    ]
  }

  # Reading the config, as the function and the quiet-host check (modules/quiet-hosts) both need it:
  # the config, and the shards of a sharded config (named "<config_key>.d/…", src/config/shards.ts).
  read_config_statement = {
    Sid      = "ReadConfigObject"
    Effect   = "Allow"
    Action   = ["s3:GetObject"]
    Resource = ["${var.config_bucket_arn}/${var.config_key}", "${var.config_bucket_arn}/${var.config_key}.d/*"]
  }
  decrypt_config_statements = var.kms_key_arn == null ? [] : [
    {
      # Only when S3 asks for this bucket's objects in this region: the role cannot decrypt anything
      # else with the key (bucket keys use the bucket's ARN as encryption context, others the object's).
      Sid      = "DecryptConfigObject"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = [var.kms_key_arn]
      Condition = {
        StringEquals = {
          "kms:ViaService"                   = "s3.${local.region}.amazonaws.com"
          "kms:EncryptionContext:aws:s3:arn" = [var.config_bucket_arn, "${var.config_bucket_arn}/${var.config_key}"]
        }
      }
    },
  ]

  # The role's statements after modules/lambda-function's WriteOwnLogs. Written as data, not
  # aws_iam_policy_document, so tests can read them with a mocked provider.
  policy_statements = concat(
    [
      local.read_config_statement,
      {
        # Without ListBucket, S3 answers 403 instead of 404 for a missing object.
        Sid      = "ListConfigBucket"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [var.config_bucket_arn]
        # Only the config's own key and its shards: the listing shows no other object of the bucket.
        Condition = { StringLike = { "s3:prefix" = [var.config_key, "${var.config_key}.d/*"] } }
      },
      {
        Sid      = "ReadZoneRecords"
        Effect   = "Allow"
        Action   = ["route53:ListResourceRecordSets"]
        Resource = [var.zone_arn]
      },
      {
        # The request function decides and the record writer writes: it only queues the change.
        # Its role has no Route 53 write right at all (modules/record-writer holds them).
        Sid      = "QueueRecordChanges"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = [var.change_queue_arn]
      },
    ],
    var.name_servers != null ? [] : [
      {
        # Only to learn the zone's name servers (DNS no-change check) when they are not given.
        Sid      = "ReadZoneNameServers"
        Effect   = "Allow"
        Action   = ["route53:GetHostedZone"]
        Resource = [var.zone_arn]
      },
    ],
    [
      {
        # Fair-share counts (src/queue/dynamodb-shares.ts): one conditional update of a count, on the
        # item's three attributes only, nothing read back; no other call on the table.
        Sid      = "CountFairShares"
        Effect   = "Allow"
        Action   = ["dynamodb:UpdateItem"]
        Resource = [var.share_table_arn]
        Condition = {
          "ForAllValues:StringEquals" = { "dynamodb:Attributes" = ["id", "changes", "expires"] }
          StringEqualsIfExists        = { "dynamodb:ReturnValues" = "NONE" }
        }
      },
    ],
    local.decrypt_config_statements,
  )

  # V8 sizes its heap for the host, not for the function: cap it below the function's memory so the
  # container stays inside its limit (bench/throughput.ts: a 10,000-host config after 100,000
  # requests stays under 100 MB resident at 128 MB), leaving room for code, buffers and Node itself.
  node_options = "--enable-source-maps --max-old-space-size=${max(64, var.memory_size - 28)} --max-semi-space-size=4"

  environment = merge(
    {
      DDNS_CONFIG_BUCKET        = var.config_bucket
      DDNS_CONFIG_KEY           = var.config_key
      DDNS_CONFIG_CACHE_SECONDS = tostring(var.config_cache_seconds)
      DDNS_CHANGE_QUEUE_URL     = var.change_queue_url
      DDNS_SHARE_TABLE          = var.share_table
      DDNS_METRICS_NAMESPACE    = var.metrics_namespace
      DDNS_RESERVED_NAMES       = join(",", local.reserved_names)
      NODE_OPTIONS              = local.node_options
    },
    var.name_servers == null ? {} : { DDNS_NAME_SERVERS = join(",", var.name_servers) },
    var.event_bus_name == null ? {} : { DDNS_EVENT_BUS = var.event_bus_name },
    var.edge_secret == null ? {} : { DDNS_EDGE_SECRET = var.edge_secret },
  )
}

# The role, its policy, the log group and the function: modules/lambda-function, as for the record
# writer and the quiet-host check.
module "lambda" {
  source = "../lambda-function"

  name             = var.name
  description      = "Dynamic DNS updates for Route 53 (route53-ddns)."
  role_name        = "${var.name}-function"
  role_description = "Runs the ${var.name} dynamic DNS function."

  package_path = var.package_path
  handler      = "index.handler"
  runtime      = var.runtime
  architecture = var.architecture
  memory_size  = var.memory_size
  timeout      = var.timeout

  reserved_concurrent_executions = var.reserved_concurrent_executions

  environment             = local.environment
  assume_role_policy_json = jsonencode(local.assume_role_policy)
  policy_statements       = local.policy_statements
  log_retention_days      = var.log_retention_days

  tags = var.tags
}

# These resources lived in this module before modules/lambda-function held them: the moves keep a
# deployed function (and its role and log group) in place instead of destroying and recreating it.
moved {
  from = aws_iam_role.this
  to   = module.lambda.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.this
  to   = module.lambda.aws_iam_role_policy.this
}

moved {
  from = aws_cloudwatch_log_group.this
  to   = module.lambda.aws_cloudwatch_log_group.this
}

moved {
  from = aws_lambda_function.this
  to   = module.lambda.aws_lambda_function.this
}
