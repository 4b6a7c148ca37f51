locals {
  origin_id     = "http-api"
  origin_domain = trimsuffix(trimprefix(var.api_endpoint, "https://"), "/")

  # AWS-managed policies (ids are fixed across accounts): nothing is cached, since every answer depends
  # on the caller; every viewer header but Host goes to the origin (execute-api refuses a foreign Host),
  # with CloudFront's own headers, among them CloudFront-Viewer-Address.
  caching_disabled_policy_id              = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  all_viewer_except_host_header_policy_id = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
}

resource "aws_wafv2_web_acl" "this" {
  provider = aws.us_east_1

  name        = var.name
  description = "Per-address rate limit in front of the ${var.name} dynamic DNS API."
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  rule {
    name     = "per-address-rate-limit"
    priority = 0

    action {
      block {
        # Routers' clients retry a 429 with backoff (and honour Retry-After), as they do the API's own.
        custom_response {
          response_code = 429

          response_header {
            name  = "retry-after"
            value = tostring(var.evaluation_window_seconds)
          }
        }
      }
    }

    statement {
      rate_based_statement {
        limit                 = var.rate_limit
        evaluation_window_sec = var.evaluation_window_seconds
        # The connecting address as CloudFront sees it: a header (X-Forwarded-For) could be forged.
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-per-address-rate-limit"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

resource "aws_cloudfront_distribution" "this" {
  enabled         = true
  is_ipv6_enabled = true # IPv6 routers must arrive over IPv6 for their AAAA record
  comment         = "${var.name}: per-address rate limit in front of the HTTP API"
  price_class     = var.price_class
  http_version    = "http2and3"
  web_acl_id      = aws_wafv2_web_acl.this.arn

  origin {
    origin_id   = local.origin_id
    domain_name = local.origin_domain

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }

    custom_header {
      name  = "x-ddns-edge-secret"
      value = var.origin_secret
    }
  }

  default_cache_behavior {
    target_origin_id         = local.origin_id
    viewer_protocol_policy   = "https-only"
    allowed_methods          = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods           = ["GET", "HEAD"]
    cache_policy_id          = local.caching_disabled_policy_id
    origin_request_policy_id = local.all_viewer_except_host_header_policy_id
    compress                 = false
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }

  tags = var.tags
}
