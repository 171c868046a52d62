import { Agent, type Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { createScimDirectory, type ScimRequestEvent } from '../../src/adapters/scim/index.ts';
import type { ScimServer } from '../support/scim-server.ts';
import { captureLogger, failure, makeDirectory, serverPerTest, TOKEN_ENV } from './helpers.ts';

/** User lookups and name search against the in-memory server, across the ways servers differ. */

const TOKEN = 'lookups-token';
const start = serverPerTest({
  token: TOKEN,
  users: [
    {
      id: 'u-alice',
      userName: 'alice',
      displayName: 'Alice Smith',
      name: { givenName: 'Alice', familyName: 'Smith' },
      emails: ['alice@example.com', 'a.smith@example.org'],
      externalId: 'EXT-1',
    },
    { id: 'u-alan', userName: 'alan', displayName: 'Alan Turing', emails: ['alan@example.com'] },
    {
      id: 'u-old',
      userName: 'old',
      displayName: 'Old Account',
      emails: ['old@example.com'],
      active: false,
    },
    { id: 'id/with?odd#chars', userName: 'odd' },
  ],
});

const userFilters = (s: ScimServer) => s.requests.filter((r) => r.path === '/Users').map((r) => r.filter);

describe('lookups', () => {
  it('maps the SCIM user to a DirectoryUser', async () => {
    const s = await start();
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect(await dir.findUserByEmail('a.smith@example.org')).toEqual({
      id: 'u-alice',
      userName: 'alice',
      displayName: 'Alice Smith',
      emails: ['alice@example.com', 'a.smith@example.org'],
      externalId: 'EXT-1',
      active: true,
    });
    expect((await dir.findUserByUserName('old'))?.active).toBe(false);
    expect(userFilters(s)[0]).toBe('emails[value eq "a.smith@example.org"]');
  });

  it('encodes ids in paths', async () => {
    const s = await start();
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect((await dir.getUser('id/with?odd#chars'))?.userName).toBe('odd');
  });

  it('matches externalId exactly', async () => {
    const s = await start();
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect((await dir.findUserByExternalId('EXT-1'))?.id).toBe('u-alice');
    expect(await dir.findUserByExternalId('ext-1')).toBeUndefined();
  });

  it('retries with the lower-cased value on a case-sensitive server', async () => {
    const s = await start({ faults: { caseSensitiveFilters: true } });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect((await dir.findUserByUserName('ALICE'))?.id).toBe('u-alice');
    expect((await dir.findUserByEmail('Alan@Example.COM'))?.id).toBe('u-alan');
    expect(userFilters(s)).toEqual([
      'userName eq "ALICE"',
      'userName eq "alice"',
      'emails[value eq "Alan@Example.COM"]',
      'emails[value eq "alan@example.com"]',
    ]);
  });

  it('falls back from emails[value eq] to emails.value eq, once', async () => {
    const s = await start({ faults: { rejectEmailValuePath: true } });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect((await dir.findUserByEmail('alice@example.com'))?.id).toBe('u-alice');
    expect((await dir.findUserByEmail('alan@example.com'))?.id).toBe('u-alan');
    expect(userFilters(s)).toEqual([
      'emails[value eq "alice@example.com"]',
      // The same form with a plain value is refused too: the form is unsupported, not the address.
      'emails[value eq "rolecall-probe@example.invalid"]',
      'emails.value eq "alice@example.com"',
      'emails.value eq "alan@example.com"',
    ]);
  });

  it('falls back to userName eq when no email filter is supported', async () => {
    const s = await start({
      users: [{ id: 'u-1', userName: 'carol@example.com' }],
      faults: { rejectEmailValuePath: true, unsupportedAttributes: ['emails.value'] },
    });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect((await dir.findUserByEmail('Carol@example.com'))?.id).toBe('u-1');
    expect(userFilters(s).at(-1)).toBe('userName eq "Carol@example.com"');
  });

  it('throws SCIM.AMBIGUOUS when two users share an email', async () => {
    const s = await start({
      users: [
        { id: 'u-1', userName: 'one', emails: ['shared@example.com'] },
        { id: 'u-2', userName: 'two', emails: ['SHARED@example.com'] },
      ],
    });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    const err = await failure(dir.findUserByEmail('shared@example.com'));
    expect(err.code).toBe('SCIM.AMBIGUOUS');
    expect(err.message).toContain('2 users');
  });

  it('prefers the one exact-case userName among case-insensitive matches', async () => {
    const s = await start({
      users: [
        { id: 'u-1', userName: 'Dana' },
        { id: 'u-2', userName: 'dana' },
      ],
    });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect((await dir.findUserByUserName('dana'))?.id).toBe('u-2');
    expect((await failure(dir.findUserByUserName('DANA'))).code).toBe('SCIM.AMBIGUOUS');
  });

  it('does not take a stranger from a server that ignores the filter', async () => {
    const s = await start({ faults: { ignoreFilters: true } });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect(await dir.findUserByEmail('nobody@example.com')).toBeUndefined();
    expect(await dir.findUserByUserName('nobody')).toBeUndefined();
    expect((await dir.findUserByUserName('alan'))?.id).toBe('u-alan');
  });
});

describe('searchUsersByName', () => {
  it('asks for at most `limit` users with a name filter', async () => {
    const s = await start();
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect((await dir.searchUsersByName('al', 10)).map((u) => u.id).sort()).toEqual(['u-alan', 'u-alice']);
    expect((await dir.searchUsersByName('smi', 10)).map((u) => u.id)).toEqual(['u-alice']);
    expect(await dir.searchUsersByName('al', 1)).toHaveLength(1);
    expect(await dir.searchUsersByName('   ', 10)).toEqual([]);
    const sent = s.requests.filter((r) => r.path === '/Users');
    expect(sent.every((r) => r.filter?.includes('displayName co'))).toBe(true);
    expect(sent.map((r) => r.query.count)).toEqual(['10', '10', '1']);
  });

  it('narrows the form step by step on servers with fewer operators, and remembers it', async () => {
    const s = await start({ faults: { unsupportedOperators: ['or'] } });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect((await dir.searchUsersByName('Turing', 5)).map((u) => u.id)).toEqual(['u-alan']);
    await dir.searchUsersByName('Smith', 5);
    expect(userFilters(s)).toEqual([
      'displayName co "Turing" or name.givenName sw "Turing" or name.familyName sw "Turing" or userName sw "Turing"',
      'displayName co "rolecall-probe" or name.givenName sw "rolecall-probe" or name.familyName sw "rolecall-probe" or userName sw "rolecall-probe"',
      'displayName co "Turing" or userName sw "Turing"',
      'displayName co "rolecall-probe" or userName sw "rolecall-probe"',
      'displayName co "Turing"',
      'displayName co "Smith"',
    ]);
  });

  it('ends with an exact userName match on equality-only servers; never lists without a filter', async () => {
    const s = await start({ faults: { unsupportedOperators: ['co', 'sw', 'or'] } });
    const { dir } = makeDirectory(s.baseUrl, { token: TOKEN });
    expect((await dir.searchUsersByName('alice', 5)).map((u) => u.id)).toEqual(['u-alice']);
    expect(await dir.searchUsersByName('ali', 5)).toEqual([]);
    expect(s.requests.every((r) => r.filter)).toBe(true);
  });
});

describe('check()', () => {
  it('reports an unreachable server or bad credentials as a problem, not a throw', async () => {
    const s = await start({ groups: [{ displayName: 'Admins' }, { displayName: 'Viewers' }] });
    expect(await makeDirectory(s.baseUrl, { token: TOKEN }).dir.check()).toEqual({ ok: true, problems: [] });
    const bad = await makeDirectory(s.baseUrl, { token: 'nope' }).dir.check();
    expect(bad.ok).toBe(false);
    expect(bad.problems[0]).toContain('credentials');
  });
});

describe('wiring', () => {
  it('sends through an injected undici Dispatcher and reports each request to onRequest', async () => {
    const s = await start();
    let dispatched = 0;
    class CountingAgent extends Agent {
      override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        dispatched++;
        return super.dispatch(opts, handler);
      }
    }
    const agent = new CountingAgent();
    const events: ScimRequestEvent[] = [];
    const { tenant } = makeDirectory(s.baseUrl);
    const dir = createScimDirectory({
      tenant,
      env: { [TOKEN_ENV]: TOKEN },
      logger: captureLogger().logger,
      dispatcher: agent,
      onRequest: (e) => events.push(e),
    });
    expect((await dir.findUserByUserName('alice'))?.id).toBe('u-alice');
    expect(await dir.getUser('u-alan')).toBeDefined();
    expect(dispatched).toBe(2);
    expect(events).toEqual([
      { method: 'GET', path: '/Users', listing: true, attempt: 1, status: 200 },
      { method: 'GET', path: '/Users/u-alan', listing: false, attempt: 1, status: 200 },
    ]);
    expect(dir.stats).toMatchObject({ requests: 2, listings: 1, byMethod: { GET: 2 } });
    await dir.close();
    await agent.close();
  });
});
