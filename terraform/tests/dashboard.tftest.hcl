# The dashboard names only metrics the function emits: every metric of the function's namespace in
# its JSON is in terraform/emf-metrics.json, the catalogue the function builds its EMF from
# (src/metrics/emf.ts), with a dimension that metric really has and a value the function really logs.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

variables {
  name              = "ddns"
  metrics_namespace = "route53-ddns/ddns"
  emf_catalogue     = jsondecode(file("emf-metrics.json"))
  function_name     = "ddns"
  api_id            = "a1b2c3d4e5"

  writer_function_name   = "ddns-writer"
  change_queue_name      = "ddns-changes"
  dead_letter_queue_name = "ddns-changes-dlq"
}

run "dashboard" {
  command = plan

  module {
    source = "./modules/dashboard"
  }

  assert {
    condition     = aws_cloudwatch_dashboard.this.dashboard_name == "ddns"
    error_message = "The dashboard must be named after the deployment."
  }
}

run "names_only_emitted_metrics" {
  command = plan

  module {
    source = "./modules/dashboard"
  }

  variables {
    # Every series of every graph of the dashboard planned above: [namespace, metric, dimension, value, ...].
    series = flatten([
      for w in jsondecode(run.dashboard.dashboard_body).widgets :
      [for m in try(w.properties.metrics, []) : { namespace = m[0], metric = m[1], dimension = m[2], value = m[3] }]
    ])
  }

  assert {
    condition = alltrue([
      for s in var.series : (
        contains(keys(var.emf_catalogue.metrics), s.metric) &&
        contains(flatten(var.emf_catalogue.metrics[s.metric].dimensions), s.dimension) &&
        contains(keys(s.dimension == "decision" ? var.emf_catalogue.decisions : var.emf_catalogue.protocols), s.value)
      ) if s.namespace == "route53-ddns/ddns"
    ])
    error_message = "Every function metric on the dashboard must be one the function emits, by a dimension and value it emits."
  }

  assert {
    condition = (
      toset([for s in var.series : s.metric if s.namespace == "route53-ddns/ddns"]) == toset(keys(var.emf_catalogue.metrics)) &&
      toset([for s in var.series : s.value if s.dimension == "protocol"]) == toset(keys(var.emf_catalogue.protocols))
    )
    error_message = "Every metric and every protocol the function emits must be on the dashboard."
  }

  assert {
    condition = (
      contains([for s in var.series : "${s.namespace}/${s.metric}/${s.value}"], "AWS/Lambda/Throttles/ddns") &&
      contains([for s in var.series : "${s.namespace}/${s.metric}/${s.value}"], "AWS/Lambda/Errors/ddns") &&
      contains([for s in var.series : "${s.namespace}/${s.metric}/${s.value}"], "AWS/ApiGateway/5xx/a1b2c3d4e5") &&
      contains([for s in var.series : "${s.namespace}/${s.metric}/${s.value}"], "AWS/ApiGateway/Count/a1b2c3d4e5")
    )
    error_message = "Lambda's and API Gateway's own metrics must sit beside the function's."
  }

  assert {
    condition = (
      contains([for s in var.series : "${s.namespace}/${s.metric}/${s.value}"], "AWS/SQS/ApproximateNumberOfMessagesVisible/ddns-changes") &&
      contains([for s in var.series : "${s.namespace}/${s.metric}/${s.value}"], "AWS/SQS/ApproximateNumberOfMessagesNotVisible/ddns-changes") &&
      contains([for s in var.series : "${s.namespace}/${s.metric}/${s.value}"], "AWS/SQS/ApproximateNumberOfMessagesVisible/ddns-changes-dlq") &&
      contains([for s in var.series : "${s.namespace}/${s.metric}/${s.value}"], "AWS/SQS/ApproximateAgeOfOldestMessage/ddns-changes") &&
      contains([for s in var.series : "${s.namespace}/${s.metric}/${s.value}"], "AWS/Lambda/Errors/ddns-writer")
    )
    error_message = "The change queue (waiting, in flight, dead letters, oldest age) and the writer must have graphs."
  }

  assert {
    condition     = alltrue([for s in var.series : !contains(["hostname", "sourceIp"], s.dimension)])
    error_message = "No graph may be per host: a host-name dimension costs a metric per host."
  }
}
