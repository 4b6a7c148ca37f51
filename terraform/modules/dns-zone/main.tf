locals {
  # Route 53 and IAM condition keys use the name in lower case without the trailing dot.
  zone_name = lower(trimsuffix(var.name, "."))
}

resource "aws_route53_zone" "this" {
  count = var.create ? 1 : 0

  name          = local.zone_name
  comment       = var.comment
  force_destroy = var.force_destroy

  tags = var.tags
}

data "aws_route53_zone" "existing" {
  count = var.create ? 0 : 1

  zone_id = var.zone_id

  lifecycle {
    precondition {
      condition     = var.zone_id != null
      error_message = "Set zone_id to the ID of the existing hosted zone when create_zone is false."
    }

    postcondition {
      condition     = lower(trimsuffix(self.name, ".")) == local.zone_name
      error_message = "The hosted zone ${coalesce(var.zone_id, "(none)")} is named ${self.name}, not ${local.zone_name}: zone_name must be the name of the zone given by zone_id."
    }
  }
}

locals {
  zone_id      = var.create ? aws_route53_zone.this[0].zone_id : data.aws_route53_zone.existing[0].zone_id
  zone_arn     = var.create ? aws_route53_zone.this[0].arn : data.aws_route53_zone.existing[0].arn
  name_servers = var.create ? aws_route53_zone.this[0].name_servers : data.aws_route53_zone.existing[0].name_servers
}

# A zone_id given alongside create_zone = true would be silently ignored: say so instead.
check "zone_id_unused" {
  assert {
    condition     = !(var.create && var.zone_id != null)
    error_message = "zone_id is ignored because create_zone is true: a new zone named ${local.zone_name} is created."
  }
}
