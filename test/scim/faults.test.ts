import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { FaultRule, ScimServer, ScimServerOptions } from '../support/scim-server.ts';
import { failure, makeDirectory, serverPerTest } from './helpers.ts';

/** Each fault of a real directory, one test each; every one fails if the behaviour regresses. */

const TOKEN = 'faults-token';
const startServer = serverPerTest({
  token: TOKEN,
  users: [
    { id: 'u-alice', userName: 'alice', emails: ['alice@example.com'] },
    { id: 'u-bob', userName: 'bob', emails: ['bob@example.com'] },
  ],
  groups: [
    { id: 'g-admins', displayName: 'Admins' },
    { id: 'g-viewers', displayName: 'Viewers', members: ['u-alice'] },
  ],
});
const start = (rules: FaultRule[] = [], o: Partial<ScimServerOptions> = {}) =>
  startServer({ ...o, faults: { rules, ...o.faults } });

const dirFor = (s: ScimServer, o: Parameters<typeof makeDirectory>[1] = {}) =>
  makeDirectory(s.baseUrl, { token: TOKEN, ...o });
const count = (s: ScimServer, method: string) => s.requests.filter((r) => r.method === method).length;

describe('rate limits and unavailability', () => {
  it('waits Retry-After seconds on 429 and succeeds', async () => {
    const s = await start([{ method: 'GET', action: { kind: 'status', status: 429, retryAfter: '2' } }]);
    const { dir, delays } = dirFor(s);
    expect((await dir.getUser('u-alice'))?.userName).toBe('alice');
    expect(delays).toEqual([2000]);
    expect(dir.stats.retries).toBe(1);
  });

  it('reads Retry-After as an HTTP date against the injected clock', async () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    const s = await start([
      {
        method: 'GET',
        action: { kind: 'status', status: 503, retryAfter: new Date(now + 3000).toUTCString() },
      },
    ]);
    const { dir, delays } = dirFor(s, { now: () => now });
    await dir.getUser('u-alice');
    expect(delays).toEqual([3000]);
  });

  it('gives up at once when Retry-After is longer than maxRetryAfter', async () => {
    const s = await start([{ method: 'GET', action: { kind: 'status', status: 429, retryAfter: '3600' } }]);
    const { dir, delays } = dirFor(s);
    const err = await failure(dir.getUser('u-alice'));
    expect(err.code).toBe('SCIM.RATE_LIMITED');
    expect(err.message).toContain('Retry-After 3600 exceeds maxRetryAfter');
    expect(delays).toEqual([]);
    expect(count(s, 'GET')).toBe(1);
  });

  it('reports SCIM.RATE_LIMITED after the configured retries', async () => {
    const s = await start([{ action: { kind: 'status', status: 429 }, times: 100 }]);
    const { dir, delays } = dirFor(s, { overrides: { retries: 2 } });
    const err = await failure(dir.getUser('u-alice'));
    expect(err.code).toBe('SCIM.RATE_LIMITED');
    expect(err.message).toContain('3 attempts');
    expect(count(s, 'GET')).toBe(3);
    // Full jitter on an exponential ceiling: random() = 0.5 gives half of 200 ms, 400 ms.
    expect(delays).toEqual([100, 200]);
  });

  it('retries a burst of 502/503/504 on reads', async () => {
    const s = await start([
      { method: 'GET', action: { kind: 'status', status: 502 } },
      { method: 'GET', action: { kind: 'status', status: 503 } },
      { method: 'GET', action: { kind: 'status', status: 504 } },
    ]);
    const { dir, delays } = dirFor(s);
    expect((await dir.findUserByUserName('alice'))?.id).toBe('u-alice');
    expect(delays).toHaveLength(3);
  });

  it('reports SCIM.UNAVAILABLE when 5xx outlasts the retries', async () => {
    const s = await start([{ action: { kind: 'status', status: 503 }, times: 100 }]);
    const { dir } = dirFor(s, { overrides: { retries: 1 } });
    expect((await failure(dir.getUser('u-alice'))).code).toBe('SCIM.UNAVAILABLE');
    expect(count(s, 'GET')).toBe(2);
  });

  it('does not retry a plain 500 on a read', async () => {
    const s = await start([{ action: { kind: 'status', status: 500 }, times: 100 }]);
    const { dir } = dirFor(s);
    expect((await failure(dir.getUser('u-alice'))).code).toBe('SCIM.UNAVAILABLE');
    expect(count(s, 'GET')).toBe(1);
  });
});

describe('timeouts and broken connections', () => {
  it('retries a read that outlasts the timeout', async () => {
    const s = await start([{ method: 'GET', action: { kind: 'hang' } }]);
    const { dir } = dirFor(s, { overrides: { timeout: 150 } });
    expect((await dir.getUser('u-alice'))?.id).toBe('u-alice');
    expect(count(s, 'GET')).toBe(2);
  });

  it('reports SCIM.TIMEOUT when every attempt hangs', async () => {
    const s = await start([{ action: { kind: 'hang' }, times: 100 }]);
    const { dir } = dirFor(s, { overrides: { timeout: 100, retries: 1 } });
    const err = await failure(dir.getUser('u-alice'));
    expect(err.code).toBe('SCIM.TIMEOUT');
    expect(err.message).toContain('100 ms');
  });

  it('retries a read whose connection is reset mid-response', async () => {
    const s = await start([{ method: 'GET', path: '/Users/u-alice', action: { kind: 'reset' } }]);
    const { dir } = dirFor(s);
    expect((await dir.getUser('u-alice'))?.id).toBe('u-alice');
    expect(count(s, 'GET')).toBe(2);
  });

  it('retries refused connections and then reports SCIM.NETWORK', async () => {
    const port = await freePort();
    const { dir, delays } = makeDirectory(`http://127.0.0.1:${port}/scim/v2`, { overrides: { retries: 2 } });
    const err = await failure(dir.getUser('u-alice'));
    expect(err.code).toBe('SCIM.NETWORK');
    expect(err.message).toContain('ECONNREFUSED');
    expect(delays).toHaveLength(2);
  });
});

describe('writes are never resent blindly', () => {
  it('does not resend a PATCH whose connection broke after it landed; the read-back confirms it', async () => {
    const s = await start([{ method: 'PATCH', action: { kind: 'reset', apply: true } }]);
    const { dir } = dirFor(s);
    expect(await dir.grant('u-bob', 'admin')).toEqual({ changed: true, before: [], after: ['admin'] });
    expect(count(s, 'PATCH')).toBe(1);
    expect(s.state.members('Admins')).toEqual(['u-bob']);
  });

  it('does not resend a PATCH that broke before landing, and says it was not applied', async () => {
    const s = await start([{ method: 'PATCH', action: { kind: 'reset' } }]);
    const { dir } = dirFor(s);
    const err = await failure(dir.grant('u-bob', 'admin'));
    expect(err.code).toBe('SCIM.NETWORK');
    expect(err.message).toContain('not applied');
    expect(count(s, 'PATCH')).toBe(1);
    expect(s.state.members('Admins')).toEqual([]);
  });

  it('does not resend a PATCH that timed out; the read decides', async () => {
    const s = await start([{ method: 'PATCH', action: { kind: 'hang' } }]);
    const { dir } = dirFor(s, { overrides: { timeout: 150 } });
    const err = await failure(dir.grant('u-bob', 'admin'));
    expect(err.code).toBe('SCIM.TIMEOUT');
    expect(err.message).toContain('not applied');
    expect(count(s, 'PATCH')).toBe(1);
  });

  it('treats a 502 after the write as unknown, and the read finds it landed', async () => {
    const s = await start([{ method: 'PATCH', action: { kind: 'status', status: 502, apply: true } }]);
    const { dir, delays } = dirFor(s);
    expect(await dir.revoke('u-alice', 'viewer')).toEqual({ changed: true, before: ['viewer'], after: [] });
    expect(count(s, 'PATCH')).toBe(1);
    expect(delays).toEqual([]);
  });

  it('resends a PATCH refused before processing with 429 or 503', async () => {
    const s = await start([
      { method: 'PATCH', action: { kind: 'status', status: 429, retryAfter: '1' } },
      { method: 'PATCH', action: { kind: 'status', status: 503 } },
    ]);
    const { dir, delays } = dirFor(s);
    expect((await dir.grant('u-bob', 'admin')).changed).toBe(true);
    expect(count(s, 'PATCH')).toBe(3);
    expect(delays[0]).toBe(1000);
    expect(s.state.members('Admins')).toEqual(['u-bob']);
  });
});

describe('ETags', () => {
  it('re-reads and resends once when the resource changed between read and write (real If-Match check)', async () => {
    const s = await start([], { faults: { userGroups: false } });
    let touched = false;
    s.faults.onRequest = (r) => {
      if (r.method === 'PATCH' && !touched) {
        touched = true;
        s.state.touch('g-viewers');
      }
    };
    const { dir } = dirFor(s);
    expect((await dir.revoke('u-alice', 'viewer')).changed).toBe(true);
    const sent = s.requests.filter((r) => r.method === 'PATCH');
    expect(sent.map((r) => r.status)).toEqual([412, 200]);
    expect(sent.map((r) => r.ifMatch)).toEqual(['W/"1"', 'W/"2"']);
  });

  it('reports changed:false when a concurrent writer already made the change', async () => {
    const s = await start([{ method: 'PATCH', action: { kind: 'status', status: 412 } }]);
    s.faults.onRequest = (r) => {
      if (r.method === 'PATCH') s.state.groups.get('g-admins')!.members = [{ value: 'u-bob' }];
    };
    const { dir } = dirFor(s);
    expect(await dir.grant('u-bob', 'admin')).toEqual({ changed: false, before: [], after: ['admin'] });
    expect(count(s, 'PATCH')).toBe(1);
  });

  it('gives up with SCIM.PRECONDITION when 412 persists', async () => {
    const s = await start([{ method: 'PATCH', action: { kind: 'status', status: 412 }, times: 100 }]);
    const { dir } = dirFor(s, { scim: { roleModel: 'roles' }, roles: { admin: {} } });
    const err = await failure(dir.grant('u-bob', 'admin'));
    expect(err.code).toBe('SCIM.PRECONDITION');
    expect(count(s, 'PATCH')).toBe(3);
  });

  it('sends the user’s ETag as If-Match in the roles model', async () => {
    const s = await start();
    s.state.touch('u-bob');
    const { dir } = dirFor(s, { scim: { roleModel: 'roles' }, roles: { admin: {} } });
    await dir.grant('u-bob', 'admin');
    expect(s.requests.find((r) => r.method === 'PATCH')?.ifMatch).toBe('W/"2"');
  });
});

describe('bad answers', () => {
  it('maps malformed JSON to SCIM.INVALID_RESPONSE', async () => {
    const s = await start([{ method: 'GET', action: { kind: 'malformed' } }]);
    const { dir } = dirFor(s);
    const err = await failure(dir.findUserByUserName('alice'));
    expect(err.code).toBe('SCIM.INVALID_RESPONSE');
    expect(err.message).toContain('not valid JSON');
  });

  it('maps a wrongly shaped resource to SCIM.INVALID_RESPONSE', async () => {
    const s = await start([{ method: 'GET', action: { kind: 'status', status: 200, body: '{"id":5}' } }]);
    const { dir } = dirFor(s);
    const err = await failure(dir.getUser('u-alice'));
    expect(err.code).toBe('SCIM.INVALID_RESPONSE');
    expect(err.message).toContain('wrong shape');
  });

  it('stops reading an oversized body (streamed) with SCIM.TOO_LARGE', async () => {
    const s = await start([{ method: 'GET', action: { kind: 'oversized', bytes: 2_000_000 } }]);
    const { dir } = dirFor(s, { maxResponseBytes: 100_000 });
    const err = await failure(dir.findUserByUserName('alice'));
    expect(err.code).toBe('SCIM.TOO_LARGE');
    expect(count(s, 'GET')).toBe(1);
  });

  it('refuses an oversized body by its Content-Length before reading it', async () => {
    const s = await start([
      { method: 'GET', action: { kind: 'oversized', bytes: 6_000_000, declareLength: true } },
    ]);
    const { dir } = dirFor(s);
    expect((await failure(dir.findUserByUserName('alice'))).code).toBe('SCIM.TOO_LARGE');
  });

  it('puts the SCIM error detail and scimType in the message', async () => {
    const body = JSON.stringify({ status: '409', scimType: 'uniqueness', detail: 'member already present' });
    const s = await start([{ method: 'PATCH', action: { kind: 'status', status: 409, body } }]);
    const { dir } = dirFor(s);
    const err = await failure(dir.grant('u-bob', 'admin'));
    expect(err.code).toBe('SCIM.CONFLICT');
    expect(err.message).toContain('uniqueness');
    expect(err.message).toContain('member already present');
  });

  it('summarises plain-text and HTML error bodies', async () => {
    const html = `<html><head><style>body{color:red}</style></head><body><h1>Forbidden</h1><p>Tenant &amp; scope ${'x'.repeat(400)}</p></body></html>`;
    const s = await start([
      { method: 'GET', action: { kind: 'status', status: 403, contentType: 'text/html', body: html } },
      {
        method: 'GET',
        action: { kind: 'status', status: 400, contentType: 'text/plain', body: 'Bad things\n' },
      },
    ]);
    const { dir } = dirFor(s);
    const forbidden = await failure(dir.getUser('u-alice'));
    expect(forbidden.code).toBe('SCIM.FORBIDDEN');
    expect(forbidden.message).toContain('Forbidden Tenant & scope xxx');
    expect(forbidden.message).not.toMatch(/<|color:red/);
    expect(forbidden.message.length).toBeLessThan(400);
    const bad = await failure(dir.getUser('u-alice'));
    expect(bad.code).toBe('SCIM.BAD_REQUEST');
    expect(bad.message).toContain('Bad things');
  });
});

describe('paging', () => {
  it('stops never-ending paging at maxPages with an error', async () => {
    const s = await start([], { faults: { endlessPaging: true } });
    const { dir } = dirFor(s, { overrides: { maxPages: 4, pageSize: 10 } });
    const err = await failure(dir.grant('u-bob', 'admin'));
    expect(err.code).toBe('SCIM.INVALID_RESPONSE');
    expect(err.message).toContain('4 pages');
    expect(s.requests.filter((r) => r.path === '/Groups').length).toBe(4);
  });

  it('stops when a page brings nothing new although totalResults says more', async () => {
    const s = await start([], { faults: { repeatFirstPage: true } });
    const { dir } = dirFor(s);
    const err = await failure(dir.grant('u-bob', 'admin'));
    expect(err.code).toBe('SCIM.INVALID_RESPONSE');
    expect(err.message).toContain('no progress');
    expect(s.requests.filter((r) => r.path === '/Groups').length).toBe(2);
  });

  it('pages by startIndex until totalResults, and checks each result itself', async () => {
    // A server that ignores the filter: the client pages through everything and picks by name.
    const s = await start([], {
      groups: [
        ...Array.from({ length: 6 }, (_, i) => ({ id: `g-${i}`, displayName: `Team ${i}` })),
        { id: 'g-admins', displayName: 'Admins' },
      ],
      faults: { ignoreFilters: true },
    });
    const { dir } = dirFor(s, { overrides: { pageSize: 3 }, roles: { admin: { group: 'Admins' } } });
    expect(await dir.grant('u-bob', 'admin')).toMatchObject({ changed: true, after: ['admin'] });
    const pages = s.requests.filter((r) => r.path === '/Groups').map((r) => r.query.startIndex);
    expect(pages).toEqual(['1', '4', '7']);
    expect(s.state.members('Admins')).toEqual(['u-bob']);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
