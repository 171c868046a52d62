import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eq, quote } from '../../src/adapters/scim/filter.ts';
import { parseFilter } from '../support/scim-server/filter.ts';
import { captureLogger, failure, makeDirectory, serverPerTest } from './helpers.ts';

/** Secrets never leave through errors or logs; filter values can never become filter syntax. */

const TOKEN = 'sEcReT-scim-token-9f8e7d6c5b4a';
const start = serverPerTest();

function leaks(text: string, secrets: string[]): string[] {
  return secrets.filter((s) => text.includes(s));
}

/** Everything an error exposes: message, details, stack and cause chain. */
function exposed(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  while (e instanceof Error) {
    parts.push(e.message, e.stack ?? '', JSON.stringify((e as { details?: unknown }).details ?? {}));
    e = e.cause;
  }
  return parts.join('\n');
}

describe('the SCIM token never leaks', () => {
  it('is scrubbed from errors and logs, even when the server echoes it back', async () => {
    const server = await start({
      token: TOKEN,
      users: [{ id: 'u1', userName: 'alice' }],
      groups: [{ id: 'g1', displayName: 'Admins' }],
      faults: {
        rules: [
          // A debug page that prints the request headers, then a bare credential in plain text.
          {
            method: 'GET',
            path: '/Users/u1',
            times: 2,
            action: {
              kind: 'status',
              status: 502,
              contentType: 'text/html',
              body: '<pre>Authorization: {authorization}</pre>',
            },
          },
          {
            method: 'PATCH',
            action: {
              kind: 'status',
              status: 400,
              contentType: 'text/plain',
              body: 'bad token {credential}',
            },
          },
        ],
      },
    });
    const { logger, output } = captureLogger();
    const { dir, logs } = makeDirectory(server.baseUrl, { token: TOKEN, overrides: { retries: 1 } });
    const errors = [
      await failure(dir.getUser('u1')),
      await failure(dir.grant('u1', 'admin')),
      await failure(makeDirectory(server.baseUrl, { token: `${TOKEN}-wrong` }).dir.getUser('u1')),
      await failure(makeDirectory('http://127.0.0.1:1/scim/v2', { token: TOKEN }).dir.getUser('u1')),
    ];
    expect(errors.map((e) => e.code)).toEqual([
      'SCIM.UNAVAILABLE',
      'SCIM.BAD_REQUEST',
      'SCIM.AUTH',
      'SCIM.NETWORK',
    ]);
    // The echo really happened: the server sent the token back, the client removed it.
    expect(errors[0]!.message).toContain('Authorization: Bearer [REDACTED]');
    expect(errors[1]!.message).toContain('bad token [REDACTED]');
    for (const err of errors) {
      logger.error({ err }, 'scim failed');
      expect(leaks(exposed(err), [TOKEN])).toEqual([]);
    }
    expect(output()).toContain('scim failed');
    expect(leaks(output() + logs(), [TOKEN])).toEqual([]);
    // Retries were logged (the 502) without headers.
    expect(logs()).toContain('retrying');
  });

  it('scrubs Basic credentials: the password and the encoded pair', async () => {
    const basic = { username: 'svc-rolecall', password: 'pa55-w0rd-very-secret' };
    const encoded = Buffer.from(`${basic.username}:${basic.password}`).toString('base64');
    const server = await start({
      basic,
      users: [{ id: 'u1', userName: 'alice' }],
      faults: {
        rules: [
          {
            action: {
              kind: 'status',
              status: 403,
              contentType: 'text/plain',
              body: 'denied for {credential} (password pa55-w0rd-very-secret)',
            },
          },
        ],
      },
    });
    const env = { SCIM_USER: basic.username, SCIM_PASS: basic.password };
    const scim = { tokenEnv: undefined, basicAuth: { usernameEnv: 'SCIM_USER', passwordEnv: 'SCIM_PASS' } };
    const { dir, logs } = makeDirectory(server.baseUrl, { env, scim });
    const err = await failure(dir.getUser('u1'));
    expect(err.code).toBe('SCIM.FORBIDDEN');
    expect(err.message).toContain('denied for [REDACTED]');
    expect(leaks(exposed(err) + logs(), [basic.password, encoded])).toEqual([]);
    // And Basic auth works when the server accepts it.
    expect((await dir.getUser('u1'))?.userName).toBe('alice');
  });
});

describe('filter values cannot change the filter', () => {
  it('quotes values as JSON strings', () => {
    expect(eq('userName', 'a"b\\c')).toBe('userName eq "a\\"b\\\\c"');
  });

  it('any value parses back as one comparison with exactly that value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (v) => {
        expect(parseFilter(eq('emails.value', v))).toEqual({
          kind: 'cmp',
          attr: 'emails.value',
          op: 'eq',
          value: v,
        });
        const vp = parseFilter(`emails[value eq ${quote(v)}]`);
        expect(vp).toEqual({
          kind: 'valuePath',
          attr: 'emails',
          inner: { kind: 'cmp', attr: 'value', op: 'eq', value: v },
        });
      }),
      { numRuns: 300 },
    );
  });

  it('injection attempts find nobody on a server that understands or/pr', async () => {
    const server = await start({
      token: TOKEN,
      users: [
        { id: 'u1', userName: 'alice', emails: ['alice@example.com'], externalId: 'e1' },
        { id: 'u2', userName: 'odd"name\\', emails: ['odd@example.com'] },
      ],
    });
    const { dir } = makeDirectory(server.baseUrl, { token: TOKEN });
    const attacks = [
      'x" or userName pr or userName eq "y',
      '" or "1" eq "1',
      'alice\\" or userName sw "a',
      'alice@example.com" or emails.value co "@',
    ];
    for (const a of attacks) {
      expect(await dir.findUserByEmail(a)).toBeUndefined();
      expect(await dir.findUserByUserName(a)).toBeUndefined();
      expect(await dir.findUserByExternalId(a)).toBeUndefined();
      expect(await dir.searchUsersByName(a, 10)).toEqual([]);
    }
    expect((await dir.findUserByUserName('odd"name\\'))?.id).toBe('u2');
    const sent = server.requests.find((r) => r.filter?.startsWith('userName eq "odd'));
    expect(sent?.filter).toBe('userName eq "odd\\"name\\\\"');
  });
});
