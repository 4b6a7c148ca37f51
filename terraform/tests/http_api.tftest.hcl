# The http-api module: routes, payload 2.0 proxy integration, dual stack, throttling, access logs,
# and the optional custom domain.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name                = "ddns"
  function_name       = "ddns"
  function_invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ddns/invocations"
  zone_id             = "Z0123456789ABCDEFGHIJ"
  zone_name           = "dyn.example.com"
}

run "api_stage_and_routes" {
  command = plan

  module {
    source = "./modules/http-api"
  }

  assert {
    condition     = aws_apigatewayv2_api.this.protocol_type == "HTTP" && aws_apigatewayv2_api.this.ip_address_type == "dualstack"
    error_message = "The API must be an HTTP API reachable over IPv4 and IPv6 (dualstack)."
  }

  assert {
    condition = toset(keys(aws_apigatewayv2_route.this)) == toset(flatten([
      for path, route in jsondecode(file("routes.json")).routes : [for method in route.methods : "${method} ${path}"]
    ]))
    error_message = "The API must serve exactly the routes of terraform/routes.json, the catalogue the function routes by."
  }

  assert {
    condition     = length(setintersection(keys(aws_apigatewayv2_route.this), ["GET /", "POST /", "GET /nic/update", "GET /checkip", "GET /health"])) == 5
    error_message = "The seed's, dyndns2's and checkip's routes must be among them."
  }

  assert {
    condition     = alltrue([for r in aws_apigatewayv2_route.this : r.target == "integrations/abc1234"])
    error_message = "Every route must target the function's integration."
  }

  assert {
    condition = (
      aws_apigatewayv2_integration.this.integration_type == "AWS_PROXY" &&
      aws_apigatewayv2_integration.this.payload_format_version == "2.0" &&
      aws_apigatewayv2_integration.this.integration_uri == var.function_invoke_arn
    )
    error_message = "The integration must be an AWS_PROXY of the function with payload format 2.0."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.name == "$default" && aws_apigatewayv2_stage.this.auto_deploy
    error_message = "The API must have an auto-deployed $default stage."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.default_route_settings[0].throttling_rate_limit == 500 && aws_apigatewayv2_stage.this.default_route_settings[0].throttling_burst_limit == 1000
    error_message = "Default route throttling must default to 500 requests/s with a burst of 1000: well above a fleet's peak, so one address cannot starve it at 10 requests/s."
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.access_log_settings[0].destination_arn == aws_cloudwatch_log_group.access.arn
    error_message = "Access logs must go to the API's own log group."
  }

  assert {
    condition = alltrue([
      for field in ["requestId", "sourceIp", "routeKey", "status", "integrationError"] :
      can(jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format)[field])
    ])
    error_message = "The access log must be JSON with request ID, source IP, route, status and integration error."
  }

  assert {
    condition = !anytrue([
      for value in values(jsondecode(aws_apigatewayv2_stage.this.access_log_settings[0].format)) :
      strcontains(value, "querystring") || strcontains(value, "requestOverride") || strcontains(value, "header") || strcontains(value, "authorizer")
    ])
    error_message = "The access log must not hold query strings (seed tokens) or headers (dyndns2 credentials)."
  }

  assert {
    condition     = aws_cloudwatch_log_group.access.name == "/aws/apigateway/ddns" && aws_cloudwatch_log_group.access.retention_in_days == 30
    error_message = "The access log group must have a retention period (30 days by default)."
  }

  assert {
    condition = (
      aws_lambda_permission.this.principal == "apigateway.amazonaws.com" &&
      aws_lambda_permission.this.function_name == "ddns" &&
      aws_lambda_permission.this.source_arn == "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/*"
    )
    error_message = "Only this API may invoke the function."
  }

  assert {
    condition     = length(aws_acm_certificate.this) == 0 && length(aws_apigatewayv2_domain_name.this) == 0 && length(aws_route53_record.alias) == 0
    error_message = "No custom domain resources without domain_name."
  }

  assert {
    condition     = output.api_url == "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/" && output.domain_target == null
    error_message = "Without a custom domain api_url is the execute-api URL."
  }
}

run "throttling_and_retention_from_variables" {
  command = plan

  module {
    source = "./modules/http-api"
  }

  variables {
    throttling_rate_limit  = 2.5
    throttling_burst_limit = 7
    log_retention_days     = 14
  }

  assert {
    condition     = aws_apigatewayv2_stage.this.default_route_settings[0].throttling_rate_limit == 2.5 && aws_apigatewayv2_stage.this.default_route_settings[0].throttling_burst_limit == 7
    error_message = "Throttling must come from the variables."
  }

  assert {
    condition     = aws_cloudwatch_log_group.access.retention_in_days == 14
    error_message = "Access log retention must come from log_retention_days."
  }
}

run "custom_domain" {
  command = plan

  module {
    source = "./modules/http-api"
  }

  variables {
    domain_name = "ddns.dyn.example.com"
  }

  assert {
    condition     = aws_acm_certificate.this[0].domain_name == "ddns.dyn.example.com" && aws_acm_certificate.this[0].validation_method == "DNS"
    error_message = "The custom domain needs a DNS-validated certificate."
  }

  assert {
    condition = (
      aws_route53_record.certificate_validation[0].zone_id == "Z0123456789ABCDEFGHIJ" &&
      aws_route53_record.certificate_validation[0].type == "CNAME" &&
      aws_route53_record.certificate_validation[0].records == toset(["_fedcba9876543210.abcdefghij.acm-validations.aws."])
    )
    error_message = "The certificate must be validated by a record in the zone."
  }

  assert {
    condition     = aws_acm_certificate_validation.this[0].validation_record_fqdns == toset(["_0123456789abcdef.ddns.dyn.example.com"])
    error_message = "Terraform must wait for the certificate validation."
  }

  assert {
    condition = (
      aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].endpoint_type == "REGIONAL" &&
      aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].security_policy == "TLS_1_2" &&
      aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].ip_address_type == "dualstack"
    )
    error_message = "The custom domain must be regional, TLS 1.2 and dual-stack."
  }

  assert {
    condition     = aws_apigatewayv2_api_mapping.this[0].api_id == "a1b2c3d4e5" && aws_apigatewayv2_api_mapping.this[0].stage == "$default"
    error_message = "The custom domain must map to the API's $default stage."
  }

  assert {
    condition = toset(keys(aws_route53_record.alias)) == toset(["A", "AAAA"]) && alltrue([
      for r in aws_route53_record.alias :
      r.name == "ddns.dyn.example.com" && r.zone_id == "Z0123456789ABCDEFGHIJ" &&
      one(r.alias).name == "d-abcdef1234.execute-api.us-east-1.amazonaws.com" && one(r.alias).zone_id == "Z1UJRXOUMOOFQ8"
    ])
    error_message = "The custom domain needs A and AAAA alias records to the regional endpoint."
  }

  assert {
    condition     = output.api_url == "https://ddns.dyn.example.com/"
    error_message = "With a custom domain api_url uses it."
  }
}

run "custom_domain_at_the_zone_apex" {
  command = plan

  module {
    source = "./modules/http-api"
  }

  variables {
    domain_name = "dyn.example.com"
  }

  assert {
    condition     = length(aws_route53_record.alias) == 2
    error_message = "The zone apex is a valid custom domain."
  }
}

run "custom_domain_outside_the_zone_is_refused" {
  command = plan

  module {
    source = "./modules/http-api"
  }

  variables {
    domain_name = "ddns.example.org"
  }

  expect_failures = [aws_acm_certificate.this]
}

run "custom_domain_that_only_ends_like_the_zone_is_refused" {
  command = plan

  module {
    source = "./modules/http-api"
  }

  variables {
    domain_name = "notdyn.example.com"
  }

  expect_failures = [aws_acm_certificate.this]
}
