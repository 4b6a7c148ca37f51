locals {
  # The route catalogue the function routes by (src/app.ts reads the same file). Anything else gets
  # API Gateway's 404 without invoking (or billing) the function.
  route_catalogue = jsondecode(file("${path.module}/../../routes.json")).routes
  route_keys = flatten([
    for path, route in local.route_catalogue : [for method in route.methods : "${method} ${path}"]
  ])

  # One JSON object per request. No query string and no headers: seed requests carry their token in the
  # query string and dyndns2 requests their secret in the Authorization header.
  access_log_format = {
    requestId          = "$context.requestId"
    requestTime        = "$context.requestTime"
    sourceIp           = "$context.identity.sourceIp"
    userAgent          = "$context.identity.userAgent"
    domainName         = "$context.domainName"
    httpMethod         = "$context.httpMethod"
    path               = "$context.path"
    routeKey           = "$context.routeKey"
    protocol           = "$context.protocol"
    status             = "$context.status"
    responseLength     = "$context.responseLength"
    responseLatency    = "$context.responseLatency"
    integrationStatus  = "$context.integration.status"
    integrationLatency = "$context.integration.latency"
    integrationError   = "$context.integration.error"
  }

  custom_domain = var.domain_name != null
}

resource "aws_apigatewayv2_api" "this" {
  name          = var.name
  description   = "Dynamic DNS updates for Route 53 (route53-ddns)."
  protocol_type = "HTTP"
  # IPv6 routers must reach the API over IPv6 for the function to see (and set) their AAAA address.
  ip_address_type = "dualstack"

  tags = var.tags
}

resource "aws_apigatewayv2_integration" "this" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = var.function_invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "this" {
  for_each = toset(local.route_keys)

  api_id    = aws_apigatewayv2_api.this.id
  route_key = each.key
  target    = "integrations/${aws_apigatewayv2_integration.this.id}"
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = jsonencode(local.access_log_format)
  }

  tags = var.tags
}

resource "aws_lambda_permission" "this" {
  statement_id  = "AllowInvokeFromHttpApi"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}

# Optional custom domain: a certificate validated in the zone, a dual-stack regional domain name, and
# A/AAAA alias records pointing at it.

resource "aws_acm_certificate" "this" {
  count = local.custom_domain ? 1 : 0

  domain_name       = var.domain_name
  validation_method = "DNS"

  tags = var.tags

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = lower(var.domain_name) == var.zone_name || endswith(lower(var.domain_name), ".${var.zone_name}")
      error_message = "domain_name must be the zone ${var.zone_name} or a name inside it: its certificate is validated and its alias records are created in that zone."
    }
  }
}

locals {
  certificate_validation = local.custom_domain ? one(aws_acm_certificate.this[0].domain_validation_options) : null
}

resource "aws_route53_record" "certificate_validation" {
  count = local.custom_domain ? 1 : 0

  zone_id         = var.zone_id
  name            = local.certificate_validation.resource_record_name
  type            = local.certificate_validation.resource_record_type
  records         = [local.certificate_validation.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  count = local.custom_domain ? 1 : 0

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [aws_route53_record.certificate_validation[0].fqdn]
}

resource "aws_apigatewayv2_domain_name" "this" {
  count = local.custom_domain ? 1 : 0

  domain_name = var.domain_name

  domain_name_configuration {
    certificate_arn = aws_acm_certificate_validation.this[0].certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
    ip_address_type = "dualstack"
  }

  tags = var.tags
}

resource "aws_apigatewayv2_api_mapping" "this" {
  count = local.custom_domain ? 1 : 0

  api_id      = aws_apigatewayv2_api.this.id
  domain_name = aws_apigatewayv2_domain_name.this[0].id
  stage       = aws_apigatewayv2_stage.this.id
}

resource "aws_route53_record" "alias" {
  for_each = local.custom_domain ? toset(["A", "AAAA"]) : toset([])

  zone_id = var.zone_id
  name    = var.domain_name
  type    = each.key

  alias {
    name                   = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].target_domain_name
    zone_id                = aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].hosted_zone_id
    evaluate_target_health = false
  }
}
