import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic, toolUse } from '../support/fake-anthropic.ts';
import type { ScimServer } from '../support/scim-server.ts';
import { APPROVALS, buttons, type E2E, GENERAL, type PEOPLE, startE2E } from './harness.ts';

/**
 * GET /metrics scraped over HTTP from the whole bot after real flows: a grant, a denial, an
 * approval of a time-bound grant, a SCIM hiccup and a model failure. Counters are checked exactly.
 */
let e: E2E;
let scim: ScimServer;
let llm: FakeAnthropic;
let base: string;

beforeAll(async () => {
  // Role changes fail at the model (400: not retried) → the offline parser answers them; small
  // talk gets a real answer ("not a request").
  llm = await startFakeAnthropic({
    script: (req) =>
      JSON.stringify(req.body.messages).includes('make')
        ? { type: 'error', status: 400 }
        : toolUse({ name: 'none', input: { reason: 'not_a_request' } }),
  });
  e = await startE2E({
    scim: 'own',
    ownScim: (s) => {
      scim = s;
    },
    anthropicUrl: llm.baseUrl,
  });
  base = `http://127.0.0.1:${e.app.slack.port}`;
});
afterAll(async () => {
  await e?.close();
  await llm?.close();
});

/** Prometheus text → value of one sample (labels matched exactly, in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    const want = Object.entries(labels);
    if (want.length === Object.keys(got).length && want.every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

async function card(who: keyof typeof PEOPLE, text: string, match: RegExp) {
  const from = e.slack.calls.length;
  await e.say(who, text);
  const c = await e.replyTo(who, match, from);
  return { ...c, requestId: buttons(c.blocks).find((b) => b.actionId === 'rc_confirm')?.value, from };
}

describe('GET /metrics after real flows (HTTP mode)', () => {
  it('starts with the metric families present and zero requests', async () => {
    const text = await scrape();
    for (const family of [
      'rolecall_requests_total',
      'rolecall_request_to_decision_seconds',
      'rolecall_decision_to_applied_seconds',
      'rolecall_policy_denials_total',
      'rolecall_scim_calls_total',
      'rolecall_scim_errors_total',
      'rolecall_llm_calls_total',
      'rolecall_llm_fallbacks_total',
      'rolecall_llm_latency_seconds',
      'rolecall_pending_approvals',
      'rolecall_active_timebound_grants',
    ])
      expect(text).toContain(`# TYPE ${family} `);
    expect(sample(text, 'rolecall_pending_approvals')).toBe(0);
    expect(sample(text, 'rolecall_active_timebound_grants')).toBe(0);
    expect(sample(text, 'rolecall_process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('counts a grant, a denial, an approval, SCIM errors by code and LLM fallbacks exactly', async () => {
    // 1. A direct grant; the model fails (HTTP 400) so the offline parser answers; one SCIM 503, retried.
    scim.faults.rules.push({
      method: 'GET',
      path: '/Users',
      times: 1,
      action: { kind: 'status', status: 503 },
    });
    const grant = await card('alice', 'make <@U0BOB> an editor', /Grant `editor`/);
    e.clock.advance(30_000);
    await e.click('alice', 'rc_confirm', grant.requestId!);
    await e.waitPost(GENERAL, /Done: granted `editor` to Bob Builder/);

    // 2. A denial by policy (a viewer asking for admin): denied at once, never confirmed.
    const denied = await card('bob', 'make me an admin', /Grant `admin`/);
    await e.replyTo('bob', /Not done/, denied.from);

    // 3. An elevated, time-bound grant: pending until an owner approves 60 s later.
    const elevated = await card('alice', 'make <@U0ERIN> an admin for 2 hours', /Grant `admin`/);
    await e.click('alice', 'rc_confirm', elevated.requestId!);
    await e.waitPost(APPROVALS, /grant `admin` for <@U0ERIN>/);
    let text = await scrape();
    expect(sample(text, 'rolecall_pending_approvals')).toBe(1);
    expect(sample(text, 'rolecall_active_timebound_grants')).toBe(0);
    e.clock.advance(60_000);
    await e.click('olga', 'rc_approve', elevated.requestId!, APPROVALS);
    await e.waitPost(GENERAL, /Done: granted `admin` to Erin Editor until/);

    text = await scrape();
    expect(sample(text, 'rolecall_requests_total', { outcome: 'applied' })).toBe(2);
    expect(sample(text, 'rolecall_requests_total', { outcome: 'denied' })).toBe(1);
    expect(sample(text, 'rolecall_requests_total', { outcome: 'failed' })).toBeUndefined();
    expect(sample(text, 'rolecall_policy_denials_total', { reason: 'no_matching_rule' })).toBe(1);
    // Decisions: the grant after 30 s, the denial at once, the approval 60 s after the request.
    expect(sample(text, 'rolecall_request_to_decision_seconds_count')).toBe(3);
    expect(sample(text, 'rolecall_request_to_decision_seconds_sum')).toBe(90);
    expect(sample(text, 'rolecall_request_to_decision_seconds_bucket', { le: '1' })).toBe(1);
    expect(sample(text, 'rolecall_request_to_decision_seconds_bucket', { le: '60' })).toBe(3);
    expect(sample(text, 'rolecall_decision_to_applied_seconds_count')).toBe(2);
    expect(sample(text, 'rolecall_pending_approvals')).toBe(0);
    expect(sample(text, 'rolecall_active_timebound_grants')).toBe(1);
    // SCIM: the injected 503 is one error and one 503-outcome call; two PATCHes went through.
    expect(sample(text, 'rolecall_scim_errors_total', { code: 'SCIM.UNAVAILABLE' })).toBe(1);
    expect(sample(text, 'rolecall_scim_calls_total', { method: 'GET', outcome: '503' })).toBe(1);
    expect(sample(text, 'rolecall_scim_calls_total', { method: 'PATCH', outcome: '200' })).toBe(2);
    expect(sample(text, 'rolecall_scim_calls_total', { method: 'GET', outcome: '200' })).toBeGreaterThan(5);
    // LLM: three role changes fell back to the offline parser.
    expect(llm.requests.filter((r) => r.path === '/v1/messages')).toHaveLength(3);
    expect(sample(text, 'rolecall_llm_calls_total', { outcome: 'fallback' })).toBe(3);
    expect(sample(text, 'rolecall_llm_fallbacks_total', { reason: 'unavailable' })).toBe(3);
    expect(sample(text, 'rolecall_llm_calls_total', { outcome: 'ok' })).toBeUndefined();

    // 4. Small talk: the model answers.
    const from = e.slack.calls.length;
    await e.say('alice', 'thanks, that was quick');
    await e.replyTo('alice', /.+/, from);
    text = await scrape();
    expect(sample(text, 'rolecall_llm_calls_total', { outcome: 'ok' })).toBe(1);
    expect(sample(text, 'rolecall_llm_latency_seconds_count')).toBe(4);
  });
});

describe('/healthz and /readyz (HTTP mode)', () => {
  it('answers 200 while the store and Slack are up', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, store: true, slack: true });
  });

  it('answers 503 naming the store once the store is gone, while /healthz and /metrics still answer', async () => {
    await e.app.stores.close();
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ok: false, store: false, slack: true });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const text = await scrape();
    expect(sample(text, 'rolecall_active_timebound_grants')).toBe(1);
  });
});
