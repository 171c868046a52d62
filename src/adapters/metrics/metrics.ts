import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AppObserver } from '../../ports/observer.ts';
import type { RequestStore } from '../../ports/request-store.ts';

/**
 * Prometheus metrics for /metrics. Each process has its own registry (tests start several apps in
 * one process). Gauges that describe the store are computed at scrape time, so they are true
 * across processes sharing one store.
 */
export interface Metrics {
  registry: Registry;
  observer: AppObserver;
  /** One SCIM HTTP attempt: `outcome` is the status or a transport code; `errorCode` when it failed. */
  scimCall(method: string, outcome: string, errorCode?: string): void;
  llmCall(outcome: 'ok' | 'fallback' | 'error', seconds: number): void;
  llmFallback(reason: string): void;
}

export function createMetrics(opts: { requests?: RequestStore; defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'rolecall_' });
  const outcomes = new Counter({
    name: 'rolecall_requests_total',
    help: 'Role-change requests by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const denials = new Counter({
    name: 'rolecall_policy_denials_total',
    help: 'Policy denials by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const toDecision = new Histogram({
    name: 'rolecall_request_to_decision_seconds',
    help: 'Time from request to decision (allowed, denied, approved or rejected)',
    buckets: [0.5, 1, 5, 15, 60, 300, 900, 3600, 14_400, 86_400],
    registers: [registry],
  });
  const toApplied = new Histogram({
    name: 'rolecall_decision_to_applied_seconds',
    help: 'Time from decision (confirmed or approved) to the directory change applied',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const scim = new Counter({
    name: 'rolecall_scim_calls_total',
    help: 'SCIM calls by method and outcome (error code)',
    labelNames: ['method', 'outcome'],
    registers: [registry],
  });
  const scimErrors = new Counter({
    name: 'rolecall_scim_errors_total',
    help: 'Failed SCIM HTTP attempts by error code (SCIM.AUTH, SCIM.UNAVAILABLE, SCIM.TIMEOUT…)',
    labelNames: ['code'],
    registers: [registry],
  });
  const llm = new Counter({
    name: 'rolecall_llm_calls_total',
    help: 'LLM extractions by outcome (ok, fallback, error)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const llmLatency = new Histogram({
    name: 'rolecall_llm_latency_seconds',
    help: 'LLM call latency',
    buckets: [0.25, 0.5, 1, 2, 4, 8, 15, 30],
    registers: [registry],
  });
  const fallbacks = new Counter({
    name: 'rolecall_llm_fallbacks_total',
    help: 'Extractions answered by the offline parser after the model failed, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const store = opts.requests;
  new Gauge({
    name: 'rolecall_pending_approvals',
    help: 'Requests waiting for approval',
    registers: [registry],
    async collect() {
      // A store outage must not take /metrics down with it: the gauge keeps its last value.
      if (store)
        await store
          .count({ states: ['awaiting_approval'] })
          .then((n) => this.set(n))
          .catch(() => {});
    },
  });
  new Gauge({
    name: 'rolecall_active_timebound_grants',
    help: 'Applied grants with an end time',
    registers: [registry],
    async collect() {
      if (store)
        // Only grants with an end (a far-future bound selects exactly those); counted in the
        // store, so a scrape reads no request records.
        await store
          .count({ states: ['applied'], grantEndsBefore: '9999-12-31T23:59:59.999Z' })
          .then((n) => this.set(n))
          .catch(() => {});
    },
  });
  const deliveries = new Counter({
    name: 'rolecall_slack_delivery_failures_total',
    help: 'Messages to people Slack would not take, by what they were and Slack’s reason',
    labelNames: ['what', 'reason'],
    registers: [registry],
  });
  return {
    registry,
    observer: {
      deliveryFailed: (what, reason) => deliveries.inc({ what, reason }),
      requestOutcome: (o) => outcomes.inc({ outcome: o }),
      policyDenied: (r) => denials.inc({ reason: r }),
      decisionLatency: (ms) => toDecision.observe(ms / 1000),
      applyLatency: (ms) => toApplied.observe(ms / 1000),
    },
    scimCall: (method, outcome, errorCode) => {
      scim.inc({ method, outcome });
      if (errorCode) scimErrors.inc({ code: errorCode });
    },
    llmFallback: (reason) => fallbacks.inc({ reason }),
    llmCall: (outcome, seconds) => {
      llm.inc({ outcome });
      llmLatency.observe(seconds);
    },
  };
}
