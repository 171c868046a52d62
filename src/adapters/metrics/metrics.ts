import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AppObserver } from '../../app/deps.ts';
import type { RequestStore } from '../../ports/request-store.ts';

/**
 * Prometheus metrics for /metrics. Each process has its own registry (tests start several apps in
 * one process). Gauges that describe the store are computed at scrape time, so they are true
 * across processes sharing one store.
 */
export interface Metrics {
  registry: Registry;
  observer: AppObserver;
  scimCall(method: string, outcome: string): void;
  llmCall(outcome: 'ok' | 'fallback' | 'error', seconds: number): void;
}

export function createMetrics(opts: { requests?: RequestStore; defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: 'rolecall_process_' });
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
    help: 'Time from request to decision',
    buckets: [0.5, 1, 5, 15, 60, 300, 900, 3600, 14_400, 86_400],
    registers: [registry],
  });
  const toApplied = new Histogram({
    name: 'rolecall_decision_to_applied_seconds',
    help: 'Time from decision to applied (SCIM change)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const scim = new Counter({
    name: 'rolecall_scim_calls_total',
    help: 'SCIM calls by method and outcome (error code)',
    labelNames: ['method', 'outcome'],
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
  const store = opts.requests;
  new Gauge({
    name: 'rolecall_pending_approvals',
    help: 'Requests waiting for approval',
    registers: [registry],
    async collect() {
      if (store) this.set((await store.find({ states: ['awaiting_approval'], limit: 500 })).length);
    },
  });
  new Gauge({
    name: 'rolecall_active_timebound_grants',
    help: 'Applied grants with an end time',
    registers: [registry],
    async collect() {
      if (store)
        this.set((await store.find({ states: ['applied'], limit: 500 })).filter((r) => r.grantEndsAt).length);
    },
  });
  return {
    registry,
    observer: {
      requestOutcome: (o) => outcomes.inc({ outcome: o }),
      policyDenied: (r) => denials.inc({ reason: r }),
      decisionLatency: (ms) => toDecision.observe(ms / 1000),
      applyLatency: (ms) => toApplied.observe(ms / 1000),
    },
    scimCall: (method, outcome) => scim.inc({ method, outcome }),
    llmCall: (outcome, seconds) => {
      llm.inc({ outcome });
      llmLatency.observe(seconds);
    },
  };
}
