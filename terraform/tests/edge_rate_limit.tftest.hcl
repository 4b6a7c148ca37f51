# The edge-rate-limit module: CloudFront in front of the HTTP API with a per-address WAF rate rule.
# moto applies neither CloudFront distributions nor WAF web ACLs for CloudFront the way AWS does, so
# this module is covered here, against the mock provider, and never by the emulator round trip.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

mock_provider "aws" {
  alias           = "us_east_1"
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name          = "ddns"
  api_endpoint  = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/"
  origin_secret = "0b7e4f6e-5a51-4c1e-9f0e-5d2c0f3a9b71"
  rate_limit    = 300
}

run "rate_rule_per_address_in_front_of_the_api" {
  command = plan

  module {
    source = "./tests/fixtures/edge-rate-limit"
  }

  assert {
    condition     = aws_wafv2_web_acl.this.scope == "CLOUDFRONT" && one(aws_wafv2_web_acl.this.default_action[0].allow) != null
    error_message = "The web ACL must be a CloudFront one that lets through what no rule blocks."
  }

  assert {
    condition = [for rule in aws_wafv2_web_acl.this.rule : {
      limit  = one(one(rule.statement).rate_based_statement).limit
      window = one(one(rule.statement).rate_based_statement).evaluation_window_sec
      key    = one(one(rule.statement).rate_based_statement).aggregate_key_type
      status = one(one(one(rule.action).block).custom_response).response_code
    }] == [{ limit = 300, window = 300, key = "IP", status = 429 }]
    error_message = "One rule must block (429) an address above rate_limit requests per 5 minutes, keyed on the connecting IP, not a header."
  }

  assert {
    condition     = one(aws_cloudfront_distribution.this.origin).domain_name == "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
    error_message = "The distribution's origin must be the API's execute-api host."
  }

  assert {
    condition     = [for header in one(aws_cloudfront_distribution.this.origin).custom_header : header.name] == ["x-ddns-edge-secret"] && one(one(aws_cloudfront_distribution.this.origin).custom_origin_config).origin_protocol_policy == "https-only"
    error_message = "CloudFront must reach the origin over HTTPS only, adding the origin secret the function checks."
  }

  assert {
    condition = (
      aws_cloudfront_distribution.this.default_cache_behavior[0].cache_policy_id == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" &&
      aws_cloudfront_distribution.this.default_cache_behavior[0].origin_request_policy_id == "b689b0a8-53d0-40ab-baf2-68738e2966ac" &&
      aws_cloudfront_distribution.this.default_cache_behavior[0].viewer_protocol_policy == "https-only" &&
      contains(aws_cloudfront_distribution.this.default_cache_behavior[0].allowed_methods, "POST")
    )
    error_message = "Nothing may be cached, every viewer header but Host (and CloudFront-Viewer-Address) must reach the API, over HTTPS only, for GET and POST."
  }

  assert {
    condition     = aws_cloudfront_distribution.this.is_ipv6_enabled && aws_cloudfront_distribution.this.web_acl_id == aws_wafv2_web_acl.this.arn
    error_message = "The distribution must answer over IPv6 too (AAAA updates) and sit behind the web ACL."
  }

  assert {
    condition     = output.url == "https://d111111abcdef8.cloudfront.net/"
    error_message = "url must be the distribution's HTTPS URL."
  }
}

run "refuses_limits_waf_does_not_take" {
  command = plan

  module {
    source = "./tests/fixtures/edge-rate-limit"
  }

  variables {
    rate_limit                = 9
    evaluation_window_seconds = 30
    price_class               = "PriceClass_Cheapest"
    api_endpoint              = "https://ddns.example.com/"
  }

  expect_failures = [var.rate_limit, var.evaluation_window_seconds, var.price_class, var.api_endpoint]
}
