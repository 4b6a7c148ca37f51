# The dns-zone module: created by default, or an existing zone looked up by ID.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "creates_the_zone_by_default" {
  command = plan

  module {
    source = "./modules/dns-zone"
  }

  variables {
    name = "Dyn.Example.com."
  }

  assert {
    condition     = aws_route53_zone.this[0].name == "dyn.example.com" && output.name == "dyn.example.com"
    error_message = "The zone name must be normalized to lower case without the trailing dot."
  }

  assert {
    condition     = length(data.aws_route53_zone.existing) == 0
    error_message = "A created zone must not also be looked up."
  }

  assert {
    condition     = output.zone_id == "Z0123456789ABCDEFGHIJ" && length(output.name_servers) == 4
    error_message = "zone_id and name_servers must come from the created zone."
  }
}

run "uses_an_existing_zone" {
  command = plan

  module {
    source = "./modules/dns-zone"
  }

  variables {
    name    = "dyn.example.com"
    create  = false
    zone_id = "Z9876543210ZYXWVUTSRQ"
  }

  assert {
    condition     = length(aws_route53_zone.this) == 0
    error_message = "create = false must not create a zone."
  }

  assert {
    condition     = output.zone_id == "Z9876543210ZYXWVUTSRQ" && output.zone_arn == "arn:aws:route53:::hostedzone/Z9876543210ZYXWVUTSRQ"
    error_message = "zone_id and zone_arn must come from the existing zone."
  }

  assert {
    condition     = output.name_servers == tolist(["ns-5.awsdns-05.org", "ns-6.awsdns-06.co.uk", "ns-7.awsdns-07.com", "ns-8.awsdns-08.net"])
    error_message = "name_servers must come from the existing zone."
  }
}

run "existing_zone_needs_zone_id" {
  command = plan

  module {
    source = "./modules/dns-zone"
  }

  variables {
    name   = "dyn.example.com"
    create = false
  }

  expect_failures = [data.aws_route53_zone.existing]
}

run "existing_zone_must_match_zone_name" {
  command = plan

  module {
    source = "./modules/dns-zone"
  }

  variables {
    name    = "other.example.com"
    create  = false
    zone_id = "Z9876543210ZYXWVUTSRQ"
  }

  expect_failures = [data.aws_route53_zone.existing]
}
