/**
 * CloudWatch metrics without a metrics API call: the request's log line carries an Embedded Metric
 * Format directive (`_aws.CloudWatchMetrics`) and CloudWatch Logs turns it into metrics.
 * terraform/emf-metrics.json is the one list of what is emitted: this module builds the directive
 * from it, and Terraform builds the dashboard and alarms from the same file (it lives beside the
 * Terraform so that a copy of terraform/ alone still has it). Dimensions stay few (decision,
 * protocol): a host-name dimension would be a metric, and a bill, per host.
 */
import catalogue from "../../terraform/emf-metrics.json" with { type: "json" };

export const DEFAULT_METRICS_NAMESPACE = catalogue.defaultNamespace;
export const METRICS = catalogue.metrics;
export const DECISIONS = Object.keys(catalogue.decisions);
export const PROTOCOLS = Object.keys(catalogue.protocols);

/** What the log line must carry, at its top level, for the directive to resolve. */
export interface MetricValues {
  readonly decision: string;
  readonly protocol: string;
  readonly latencyMs: number;
}

/** CloudWatch's rule for namespaces: printable, limited characters, never `AWS/`. */
const NAMESPACE = /^(?!AWS\/)[A-Za-z0-9.\-_/#: ]{1,255}$/;

export function isValidNamespace(namespace: string): boolean {
  return NAMESPACE.test(namespace);
}

/** One directive per metric, the same for every request of a namespace: built once per app. */
export type MetricDirectives = ReadonlyArray<Record<string, unknown>>;

export function metricDirectives(namespace: string): MetricDirectives {
  return Object.entries(METRICS).map(([name, metric]) => ({
    Namespace: namespace,
    Dimensions: metric.dimensions,
    Metrics: [{ Name: name, Unit: metric.unit }],
  }));
}

/** The fields to merge into the log line: the directive and the metric values it names. */
export function emfFields(
  directives: MetricDirectives,
  values: MetricValues,
  timestampMs: number,
): Record<string, unknown> {
  return {
    _aws: { Timestamp: timestampMs, CloudWatchMetrics: directives },
    decision: values.decision,
    protocol: values.protocol,
    requests: 1,
    latencyMs: values.latencyMs,
  };
}
