# Realistic computed values for the mocked AWS provider: the provider validates ARNs and IDs that flow
# from one resource into another, and the tests compare against these.

mock_resource "aws_s3_bucket" {
  defaults = {
    id     = "ddns-config-20240101000000000000000001"
    bucket = "ddns-config-20240101000000000000000001"
    arn    = "arn:aws:s3:::ddns-config-20240101000000000000000001"
  }
}

mock_resource "aws_route53_zone" {
  defaults = {
    zone_id      = "Z0123456789ABCDEFGHIJ"
    arn          = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"
    name_servers = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net"]
  }
}

mock_data "aws_route53_zone" {
  defaults = {
    zone_id      = "Z9876543210ZYXWVUTSRQ"
    arn          = "arn:aws:route53:::hostedzone/Z9876543210ZYXWVUTSRQ"
    name         = "dyn.example.com"
    name_servers = ["ns-5.awsdns-05.org", "ns-6.awsdns-06.co.uk", "ns-7.awsdns-07.com", "ns-8.awsdns-08.net"]
  }
}

mock_resource "aws_route53_record" {
  defaults = {
    fqdn = "_0123456789abcdef.ddns.dyn.example.com"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    id  = "ddns-function"
    arn = "arn:aws:iam::123456789012:role/ddns-function"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/ddns"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn        = "arn:aws:lambda:us-east-1:123456789012:function:ddns"
    invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:ddns/invocations"
  }
}

mock_resource "aws_apigatewayv2_api" {
  defaults = {
    id            = "a1b2c3d4e5"
    api_endpoint  = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
    arn           = "arn:aws:apigateway:us-east-1::/apis/a1b2c3d4e5"
    execution_arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5"
  }
}

mock_resource "aws_apigatewayv2_integration" {
  defaults = {
    id = "abc1234"
  }
}

mock_resource "aws_apigatewayv2_stage" {
  defaults = {
    id         = "$default"
    invoke_url = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/"
  }
}

mock_resource "aws_acm_certificate" {
  defaults = {
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef"
    domain_validation_options = [
      {
        domain_name           = "ddns.dyn.example.com"
        resource_record_name  = "_0123456789abcdef.ddns.dyn.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_fedcba9876543210.abcdefghij.acm-validations.aws."
      },
    ]
  }
}

mock_resource "aws_apigatewayv2_domain_name" {
  defaults = {
    id = "ddns.dyn.example.com"
    # A nested block's computed attributes: one object, applied to every block.
    domain_name_configuration = {
      target_domain_name = "d-abcdef1234.execute-api.us-east-1.amazonaws.com"
      hosted_zone_id     = "Z1UJRXOUMOOFQ8"
    }
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:us-east-1:123456789012:ddns-alarms"
  }
}

mock_resource "aws_cloudwatch_event_bus" {
  defaults = {
    arn = "arn:aws:events:us-east-1:123456789012:event-bus/ddns-events"
  }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = {
    arn = "arn:aws:events:us-east-1:123456789012:rule/ddns-events/ddns-record-changed"
  }
}

mock_resource "aws_cloudwatch_event_connection" {
  defaults = {
    arn = "arn:aws:events:us-east-1:123456789012:connection/ddns-webhook/01234567-89ab-cdef-0123-456789abcdef"
  }
}

mock_resource "aws_cloudwatch_event_api_destination" {
  defaults = {
    arn = "arn:aws:events:us-east-1:123456789012:api-destination/ddns-webhook/01234567-89ab-cdef-0123-456789abcdef"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
  }
}

mock_data "aws_region" {
  defaults = {
    id   = "us-east-1"
    name = "us-east-1"
  }
}

mock_resource "aws_wafv2_web_acl" {
  defaults = {
    arn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/ddns/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
    id  = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
  }
}

mock_resource "aws_cloudfront_distribution" {
  defaults = {
    id          = "E2QWRUHEXAMPLE"
    arn         = "arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE"
    domain_name = "d111111abcdef8.cloudfront.net"
  }
}

# Both queues of modules/change-queue get these; tests that tell them apart override one.
mock_resource "aws_sqs_queue" {
  defaults = {
    id   = "https://sqs.us-east-1.amazonaws.com/123456789012/ddns-changes"
    arn  = "arn:aws:sqs:us-east-1:123456789012:ddns-changes"
    name = "ddns-changes"
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/ddns-shares"
  }
}
