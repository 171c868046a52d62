import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopback, operatorVerdict } from '../../src/adapters/metrics/operator-access.ts';
import { startClient } from '../playground/helpers.ts';

/**
 * Found on the way in issue 13: GET /metrics and /readyz were served to anyone who could reach the
 * port (0.0.0.0 by default). Now a bearer token (ROLECALL_OPS_TOKEN), or loopback callers only.
 */
const req = (remoteAddress: string, headers: IncomingHttpHeaders = {}) =>
  ({ headers, socket: { remoteAddress } }) as Parameters<typeof operatorVerdict>[0];
const TOKEN = 'ops-token-0123456789abcdef';

describe('operator endpoint access', () => {
  it('without a token: direct loopback callers only, never through a proxy', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a)).toBe(true);
    for (const a of ['10.0.0.5', '192.168.1.2', '::ffff:10.0.0.5', 'fe80::1', '', undefined])
      expect(isLoopback(a)).toBe(false);
    expect(operatorVerdict(req('127.0.0.1'), undefined)).toBe('ok');
    expect(operatorVerdict(req('10.0.0.5'), undefined)).toBe('forbidden');
    for (const h of ['x-forwarded-for', 'forwarded', 'x-real-ip'])
      expect(operatorVerdict(req('127.0.0.1', { [h]: '203.0.113.9' }), undefined)).toBe('forbidden');
  });

  it('with a token: the right bearer token from anywhere, nothing else (not even loopback)', () => {
    expect(operatorVerdict(req('10.0.0.5', { authorization: `Bearer ${TOKEN}` }), TOKEN)).toBe('ok');
    expect(operatorVerdict(req('10.0.0.5', { authorization: `bearer ${TOKEN} ` }), TOKEN)).toBe('ok');
    for (const authorization of [
      undefined,
      '',
      'Bearer',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${TOKEN}`,
      TOKEN,
    ])
      expect(
        operatorVerdict(req('127.0.0.1', authorization === undefined ? {} : { authorization }), TOKEN),
      ).toBe('unauthorized');
  });
});

describe('the running bot (playground surface) guards /metrics and /readyz', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('with ROLECALL_OPS_TOKEN: 401 without the token, 200 with it; /healthz stays open', async () => {
    const c = await startClient({ ROLECALL_OPS_TOKEN: TOKEN });
    stop = () => c.p.stop();
    for (const path of ['/metrics', '/readyz']) {
      const anon = await fetch(`${c.p.url}${path}`);
      expect(anon.status).toBe(401);
      expect(anon.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await anon.text()).not.toMatch(/rolecall_|store/);
      const wrong = await fetch(`${c.p.url}${path}`, {
        headers: { authorization: 'Bearer nope-nope-nope-nope' },
      });
      expect(wrong.status).toBe(401);
      const ok = await fetch(`${c.p.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      await ok.text();
    }
    expect((await fetch(`${c.p.url}/healthz`)).status).toBe(200);
  });

  it('without a token: a request relayed by a proxy is refused, a direct local one is served', async () => {
    const c = await startClient();
    stop = () => c.p.stop();
    const proxied = await fetch(`${c.p.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(proxied.status).toBe(403);
    expect(await proxied.text()).toContain('ROLECALL_OPS_TOKEN');
    const local = await fetch(`${c.p.url}/metrics`);
    expect(local.status).toBe(200);
    expect(await local.text()).toContain('rolecall_');
  });

  it('a token shorter than 16 characters is a configuration error, not a weak lock', async () => {
    await expect(startClient({ ROLECALL_OPS_TOKEN: 'short' })).rejects.toThrow(/ROLECALL_OPS_TOKEN/);
  });
});
