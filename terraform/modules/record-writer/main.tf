locals {
  function_name = "${var.name}-writer"

  # The records the writer may write: any name below the zone, as IAM normalizes them (lower case,
  # no trailing dot). Never the apex, nor the API's own custom domain: those are denied explicitly.
  record_names   = ["*.${var.zone_name}"]
  api_domain     = var.api_domain_name == null ? null : lower(trimsuffix(var.api_domain_name, "."))
  reserved_names = distinct(compact([var.zone_name, local.api_domain]))

  # The TXT records of ACME DNS-01 (src/core/acme.ts): `_acme-challenge.<name>` for names in the zone,
  # and one label per outside name under `_acme-dns.` (what their `_acme-challenge` CNAMEs point at).
  acme_txt_names = [
    "_acme-challenge.${var.zone_name}",
    "_acme-challenge.*.${var.zone_name}",
    "*._acme-dns.${var.zone_name}",
  ]
  # A certificate for the API's own name would let its holder read every router's password, and one for
  # the apex (or `*.<zone>`, validated at the apex's `_acme-challenge`) covers the API and every host: never
  # the first, the second only when the operator opts in.
  refused_acme_txt_names = compact([
    local.api_domain == null ? null : "_acme-challenge.${local.api_domain}",
    var.allow_apex_certificates ? null : "_acme-challenge.${var.zone_name}",
  ])

  # IAM's `*` above also matches the octal escapes of normalized names (`\052` is `*`). The only
  # escape a name the writer writes carries is a host's wildcard label: `\052.` first, then a
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

  # The role's statements after modules/lambda-function's WriteOwnLogs. Written as data, not
  # aws_iam_policy_document, so tests can read them with a mocked provider.
  policy_statements = concat(
    [
      {
        # What Lambda's poller does with the writer's role: receive, delete what succeeded, and hand
        # back what failed (ReportBatchItemFailures). Never send: only the request function queues changes.
        Sid      = "ConsumeChangeQueue"
        Effect   = "Allow"
        Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
        Resource = [var.queue_arn]
      },
      {
        # The values a TXT compare-and-set deletes, and whether a record already holds the change.
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
        # Even if a later statement (or a hand-made policy) allowed more: never the apex, never the API's name.
        Sid      = "DenyReservedNames"
        Effect   = "Deny"
        Action   = ["route53:ChangeResourceRecordSets"]
        Resource = [var.zone_arn]
        Condition = {
          "ForAnyValue:StringEquals" = {
            "route53:ChangeResourceRecordSetsNormalizedRecordNames" = local.reserved_names
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
    length(local.refused_acme_txt_names) == 0 ? [] : [
      {
        Sid       = "DenyCertificatesForReservedNames"
        Effect    = "Deny"
        Action    = ["route53:ChangeResourceRecordSets"]
        Resource  = [var.zone_arn]
        Condition = { "ForAnyValue:StringEquals" = { "route53:ChangeResourceRecordSetsNormalizedRecordNames" = local.refused_acme_txt_names } }
      },
    ],
    var.event_bus_arn == null ? [] : [
      {
        # Only the writer's own kinds of event, under the project's source, on the deployment's bus.
        Sid      = "PutChangeEventsOnOwnBus"
        Effect   = "Allow"
        Action   = ["events:PutEvents"]
        Resource = [var.event_bus_arn]
        # Both keys hold one value per entry of the call (multivalued): every entry must match, and a
        # call without them is refused (ForAllValues alone would allow it).
        Condition = {
          "ForAllValues:StringEquals" = {
            "events:source"      = ["route53-ddns"]
            "events:detail-type" = ["DNS record changed", "ACME challenge set"]
          }
          Null = { "events:source" = "false", "events:detail-type" = "false" }
        }
      },
    ],
    [
      {
        # The newest applied change per record (src/writer/s3-marks.ts), read before and written after each write.
        Sid      = "ReadWriteAppliedMarks"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = ["${var.state_bucket_arn}/applied/*"]
      },
      {
        # Without it S3 answers a missing mark with 403, not 404: the writer could not tell "never written".
        Sid       = "ListAppliedMarks"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = [var.state_bucket_arn]
        Condition = { StringLike = { "s3:prefix" = ["applied/*"] } }
      },
    ],
    # The config and its shards, and kms:Decrypt when the bucket has a key: as the request function has them.
    var.read_config_statements,
  )

  environment = merge(var.environment, {
    DDNS_WRITER_CHANGES_PER_SECOND = tostring(var.changes_per_second)
    DDNS_WRITER_STATE_BUCKET       = var.state_bucket
    DDNS_WRITER_MARK_DAYS          = tostring(var.mark_days)
  })
}

# The same package as the request function, another entry point: writer.mjs. The role, its policy,
# the log group and the function: modules/lambda-function, as for the request function.
module "lambda" {
  source = "../lambda-function"

  name             = local.function_name
  description      = "Writes the queued record changes to Route 53 (route53-ddns)."
  role_description = "Runs the ${var.name} record writer: the only role of the deployment that may change records."

  package_path = var.package_path
  handler      = "writer.handler"
  runtime      = var.runtime
  architecture = var.architecture
  memory_size  = var.memory_size
  timeout      = var.timeout

  environment             = local.environment
  assume_role_policy_json = var.assume_role_policy_json
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

# Lambda's poller: long-polls the queue, gathers up to batch_size messages or waits the batching
# window, and runs at most maximum_concurrency writers at once, so the writers' pacing adds up to a
# known rate for the whole deployment.
resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn                   = var.queue_arn
  function_name                      = module.lambda.function_arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.maximum_concurrency
  }

  lifecycle {
    precondition {
      condition     = var.changes_per_second * var.maximum_concurrency <= 8
      error_message = "writer_changes_per_second × writer_maximum_concurrency must be at most 8: Route 53 takes about 10 ChangeResourceRecordSets a second per account, and the CLI and other tools need the rest."
    }
    precondition {
      condition     = var.queue_visibility_timeout_seconds >= var.timeout
      error_message = "The change queue's visibility timeout must be at least the writer's timeout, or batches are redelivered while the writer still works on them."
    }
  }

  # The poller receives with the writer's role: its policy must exist first.
  depends_on = [module.lambda]
}
