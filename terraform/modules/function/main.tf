locals {
  # The records the function may write: any name below the zone, as IAM normalizes them (lower case,
  # no trailing dot). Never the apex, nor the API's own custom domain: those are denied explicitly.
  record_names   = ["*.${var.zone_name}"]
  reserved_names = distinct(compact([var.zone_name, var.api_domain_name == null ? null : lower(trimsuffix(var.api_domain_name, "."))]))

  # Where the config bucket lives: S3 asks KMS on the function's behalf from this region only.
  region = split(":", aws_cloudwatch_log_group.this.arn)[3]

  # The TXT records of ACME DNS-01 (src/core/acme.ts): `_acme-challenge.<name>` for names in the zone,
  # and one label per outside name under `_acme-dns.` (what their `_acme-challenge` CNAMEs point at).
  acme_txt_names = [
    "_acme-challenge.${var.zone_name}",
    "_acme-challenge.*.${var.zone_name}",
    "*._acme-dns.${var.zone_name}",
  ]

  # IAM's `*` above also matches the octal escapes of normalized names (`\052` is `*`). The only
  # escape a name the function writes carries is a host's wildcard label: `\052.` first, then a
  # plain name below the zone. Every other escaped name is refused. Escapes are always `\` and
  # three octal digits, so the patterns below list each way of not being that one.
  octal_digits       = ["0", "1", "2", "3", "4", "5", "6", "7"]
  plain_name_symbols = split("", "abcdefghijklmnopqrstuvwxyz0123456789-_")
  refused_escaped_names = concat(
    ["*\\*\\*", "?*\\*", "\\052.${var.zone_name}"],
    [for d in setsubtract(local.octal_digits, ["0"]) : "\\${d}*"],
    [for d in setsubtract(local.octal_digits, ["5"]) : "\\0${d}*"],
    [for d in setsubtract(local.octal_digits, ["2"]) : "\\05${d}*"],
    [for c in local.plain_name_symbols : "\\052${c}*"],
  )

  # Every key the ForAllValues conditions test must be present: ForAllValues is true for an empty set.
  change_condition_keys = [
    "route53:ChangeResourceRecordSetsActions",
    "route53:ChangeResourceRecordSetsRecordTypes",
    "route53:ChangeResourceRecordSetsNormalizedRecordNames",
  ]

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

  # Written as data, not aws_iam_policy_document, so tests can read it with a mocked provider.
  policy = {
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "WriteOwnLogs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
        },
        local.read_config_statement,
        {
          # Without ListBucket, S3 answers 403 instead of 404 for a missing object.
          Sid      = "ListConfigBucket"
          Effect   = "Allow"
          Action   = ["s3:ListBucket"]
          Resource = [var.config_bucket_arn]
        },
        {
          Sid      = "ReadZoneRecords"
          Effect   = "Allow"
          Action   = ["route53:ListResourceRecordSets"]
          Resource = [var.zone_arn]
        },
        {
          Sid      = "UpsertAddressRecordsInZone"
          Effect   = "Allow"
          Action   = ["route53:ChangeResourceRecordSets"]
          Resource = [var.zone_arn]
          Condition = {
            "ForAllValues:StringEquals" = {
              "route53:ChangeResourceRecordSetsActions"     = ["UPSERT"]
              "route53:ChangeResourceRecordSetsRecordTypes" = ["A", "AAAA"]
            }
            "ForAllValues:StringLike" = {
              "route53:ChangeResourceRecordSetsNormalizedRecordNames" = local.record_names
            }
            Null = { for key in local.change_condition_keys : key => "false" }
          }
        },
        {
          # Even if a later statement (or a hand-made policy) allowed more: never the apex, never the API's
          # name, nor their ACME challenges (a certificate for either is not a host's to get).
          Sid      = "DenyReservedNames"
          Effect   = "Deny"
          Action   = ["route53:ChangeResourceRecordSets"]
          Resource = [var.zone_arn]
          Condition = {
            "ForAnyValue:StringEquals" = {
              "route53:ChangeResourceRecordSetsNormalizedRecordNames" = concat(local.reserved_names, [for name in local.reserved_names : "_acme-challenge.${name}"])
            }
          }
        },
        {
          # A TXT change is a compare-and-set: DELETE of the values read plus CREATE of the new ones
          # (Route 53 refuses the whole batch when the record changed meanwhile). TXT changes are never
          # batched with address records, so each batch matches exactly one of these two statements.
          Sid      = "WriteAcmeChallengeRecordsInZone"
          Effect   = "Allow"
          Action   = ["route53:ChangeResourceRecordSets"]
          Resource = [var.zone_arn]
          Condition = {
            "ForAllValues:StringEquals" = {
              "route53:ChangeResourceRecordSetsActions"     = ["CREATE", "DELETE"]
              "route53:ChangeResourceRecordSetsRecordTypes" = ["TXT"]
            }
            "ForAllValues:StringLike" = {
              "route53:ChangeResourceRecordSetsNormalizedRecordNames" = local.acme_txt_names
            }
            Null = { for key in local.change_condition_keys : key => "false" }
          }
        },
        {
          Sid       = "RefuseEscapedNamesButHostWildcards"
          Effect    = "Deny"
          Action    = ["route53:ChangeResourceRecordSets"]
          Resource  = [var.zone_arn]
          Condition = { "ForAnyValue:StringLike" = { "route53:ChangeResourceRecordSetsNormalizedRecordNames" = local.refused_escaped_names } }
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
      var.event_bus_arn == null ? [] : [
        {
          Sid      = "PutChangeEventsOnOwnBus"
          Effect   = "Allow"
          Action   = ["events:PutEvents"]
          Resource = [var.event_bus_arn]
        },
      ],
      local.decrypt_config_statements,
      var.change_budget == null ? [] : [
        {
          # Leasing a slot is creating its object (If-None-Match: *): no read, list or delete, no other prefix.
          Sid      = "LeaseChangeBudgetSlots"
          Effect   = "Allow"
          Action   = ["s3:PutObject"]
          Resource = ["${var.change_budget.bucket_arn}/slots/*"]
        },
      ],
    )
  }

  # V8 sizes its heap for the host, not for the function: cap it below the function's memory so the
  # container stays inside its limit (bench/throughput.ts: a 10,000-host config after 100,000
  # requests stays under 100 MB resident at 128 MB), leaving room for code, buffers and Node itself.
  node_options = "--enable-source-maps --max-old-space-size=${max(64, var.memory_size - 28)} --max-semi-space-size=4"

  environment = merge(
    {
      DDNS_CONFIG_BUCKET        = var.config_bucket
      DDNS_CONFIG_KEY           = var.config_key
      DDNS_CONFIG_CACHE_SECONDS = tostring(var.config_cache_seconds)
      DDNS_METRICS_NAMESPACE    = var.metrics_namespace
      DDNS_RESERVED_NAMES       = join(",", local.reserved_names)
      NODE_OPTIONS              = local.node_options
    },
    var.name_servers == null ? {} : { DDNS_NAME_SERVERS = join(",", var.name_servers) },
    var.event_bus_name == null ? {} : { DDNS_EVENT_BUS = var.event_bus_name },
    var.edge_secret == null ? {} : { DDNS_EDGE_SECRET = var.edge_secret },
    var.change_budget == null ? {} : {
      DDNS_CHANGE_BUDGET_BUCKET     = var.change_budget.bucket
      DDNS_CHANGE_BUDGET_PER_SECOND = tostring(var.change_budget.per_second)
    },
  )
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-function"
  description        = "Runs the ${var.name} dynamic DNS function."
  assume_role_policy = jsonencode(local.assume_role_policy)

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "least-privilege"
  role   = aws_iam_role.this.id
  policy = jsonencode(local.policy)
}

# Created before the function so that retention applies from the first log line.
resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

resource "aws_lambda_function" "this" {
  function_name = var.name
  description   = "Dynamic DNS updates for Route 53 (route53-ddns)."
  role          = aws_iam_role.this.arn

  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)
  handler          = "index.handler"
  runtime          = var.runtime
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout

  reserved_concurrent_executions = var.reserved_concurrent_executions

  environment {
    variables = local.environment
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = "INFO"
    system_log_level      = "WARN"
  }

  tags = var.tags

  # The role's permissions must exist before the first invocation can use them.
  depends_on = [aws_iam_role_policy.this]
}
