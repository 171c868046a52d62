import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BetterAuthScim, startBetterAuthScim } from '../support/better-auth-scim.ts';
import { failure, makeDirectory, TOKEN_ENV } from './helpers.ts';

/**
 * The client's contract against a real SCIM server: Better Auth with @better-auth/scim. What that
 * server lacks (filters beyond `eq`, `roles[value eq]` paths, member filters, `User.groups`,
 * ETags) is exactly what makes the client's fallbacks run here.
 */

const TRICKY = 'quote"back\\slash';
let ba: BetterAuthScim;
const id = (userName: string) => ba.userIds.get(userName)!;

beforeAll(async () => {
  ba = await startBetterAuthScim({
    users: [
      {
        userName: 'Alice.Smith',
        displayName: 'Alice Smith',
        name: { givenName: 'Alice', familyName: 'Smith' },
        emails: ['alice@example.com'],
        externalId: 'ext-alice',
        roles: ['viewer'],
      },
      {
        userName: 'bob@example.com',
        displayName: 'Bob Jones',
        emails: ['bob@example.com'],
        externalId: 'ext-bob',
      },
      { userName: TRICKY, emails: ['tricky@example.com'] },
    ],
    groups: [{ displayName: 'Admins' }, { displayName: 'Viewers', members: ['Alice.Smith'] }],
  });
});
afterAll(async () => {
  await ba?.close();
});

const groupsDir = () => makeDirectory(ba.baseUrl, { token: ba.token });

describe('Better Auth SCIM: lookups', () => {
  it('finds users by userName case-insensitively, by id, and returns undefined for strangers', async () => {
    const { dir } = groupsDir();
    const alice = await dir.findUserByUserName('alice.smith');
    expect(alice).toMatchObject({
      id: id('Alice.Smith'),
      userName: 'Alice.Smith',
      displayName: 'Alice Smith',
      emails: ['alice@example.com'],
      externalId: 'ext-alice',
      active: true,
    });
    expect(await dir.getUser(id('Alice.Smith'))).toEqual(alice);
    expect(await dir.getUser('no-such-id')).toBeUndefined();
    expect(await dir.findUserByUserName('nobody')).toBeUndefined();
  });

  it('finds users by email through the emails.value fallback and remembers the form', async () => {
    const { dir } = groupsDir();
    expect((await dir.findUserByEmail('ALICE@example.com'))?.id).toBe(id('Alice.Smith'));
    // emails[value eq] was refused (400 invalidFilter), refused again for a plain probe value (so
    // the refusal is the form's, not this address's), then emails.value eq answered.
    expect(dir.stats.listings).toBe(3);
    expect((await dir.findUserByEmail('bob@example.com'))?.id).toBe(id('bob@example.com'));
    expect(dir.stats.listings).toBe(4);
    expect(await dir.findUserByEmail('nobody@example.com')).toBeUndefined();
  });

  it('finds users by externalId, exactly', async () => {
    const { dir } = groupsDir();
    expect((await dir.findUserByExternalId('ext-bob'))?.userName).toBe('bob@example.com');
    expect(await dir.findUserByExternalId('EXT-BOB')).toBeUndefined();
  });

  it('searches by name with the only form it takes (userName eq), bounded', async () => {
    const { dir } = groupsDir();
    expect((await dir.searchUsersByName('alice.smith', 5)).map((u) => u.id)).toEqual([id('Alice.Smith')]);
    // co/sw/or are refused here, so partial names find nobody rather than listing the directory.
    expect(await dir.searchUsersByName('Ali', 5)).toEqual([]);
    // Each refused form once, its probe once, then one call per search.
    expect(dir.stats.listings).toBeLessThanOrEqual(2 * NAME_FORM_COUNT);
  });

  it('keeps quotes and backslashes inside the filter value', async () => {
    const { dir } = groupsDir();
    expect((await dir.findUserByUserName(TRICKY))?.id).toBe(id(TRICKY));
    expect(await dir.findUserByUserName('x" and userName eq "Alice.Smith')).toBeUndefined();
    expect(await dir.findUserByUserName('Alice.Smith\\')).toBeUndefined();
  });
});

const NAME_FORM_COUNT = 5;

describe('Better Auth SCIM: groups role model', () => {
  it('reads roles, grants and revokes membership idempotently, with read-back', async () => {
    const { dir } = groupsDir();
    const alice = id('Alice.Smith');
    expect(await dir.getRoles(alice)).toEqual(['viewer']);

    dir.resetStats();
    const granted = await dir.grant(alice, 'admin');
    expect(granted).toEqual({ changed: true, before: ['viewer'], after: ['admin', 'viewer'] });
    expect(dir.stats.byMethod.PATCH).toBe(1);
    expect(await ba.members('Admins')).toEqual([alice]);

    dir.resetStats();
    expect(await dir.grant(alice, 'admin')).toEqual({
      changed: false,
      before: ['admin', 'viewer'],
      after: ['admin', 'viewer'],
    });
    expect(dir.stats.writes).toBe(0);

    const revoked = await dir.revoke(alice, 'admin');
    expect(revoked).toEqual({ changed: true, before: ['admin', 'viewer'], after: ['viewer'] });
    expect(await ba.members('Admins')).toEqual([]);
    dir.resetStats();
    expect((await dir.revoke(alice, 'admin')).changed).toBe(false);
    expect(dir.stats.writes).toBe(0);
  });

  it('reports unknown users, unknown roles and missing groups with stable codes', async () => {
    const { dir } = makeDirectory(ba.baseUrl, {
      token: ba.token,
      roles: { admin: { group: 'Admins' }, ghost: { group: 'No Such Group' } },
    });
    expect((await failure(dir.getRoles('no-such-user'))).code).toBe('SCIM.NOT_FOUND');
    expect((await failure(dir.grant(id('bob@example.com'), 'root'))).code).toBe('SCIM.UNKNOWN_ROLE');
    const ghost = await failure(dir.grant(id('bob@example.com'), 'ghost'));
    expect(ghost.code).toBe('SCIM.NOT_FOUND');
    expect(ghost.message).toContain('No Such Group');
    const check = await dir.check();
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([expect.stringContaining('role "ghost"')]);
  });

  it('check() passes when every catalogue group exists', async () => {
    const { dir } = groupsDir();
    expect(await dir.check()).toEqual({ ok: true, problems: [] });
  });
});

describe('Better Auth SCIM: roles role model', () => {
  it('adds role values and removes them by rewriting the list (no roles[value eq] paths here)', async () => {
    const userName = 'roles-model@example.com';
    const uid = await ba.createUser({ userName, roles: ['viewer', 'unrelated'] });
    const { dir } = makeDirectory(ba.baseUrl, {
      token: ba.token,
      scim: { roleModel: 'roles' },
      roles: { admin: { value: 'app-admin' }, viewer: {} },
    });
    expect(await dir.getRoles(uid)).toEqual(['viewer']);
    expect(await dir.grant(uid, 'admin')).toEqual({
      changed: true,
      before: ['viewer'],
      after: ['admin', 'viewer'],
    });
    expect((await dir.grant(uid, 'admin')).changed).toBe(false);
    expect(await dir.revoke(uid, 'viewer')).toEqual({
      changed: true,
      before: ['admin', 'viewer'],
      after: ['admin'],
    });
    const stored = (await ba.scim('GET', `/Users/${uid}`)).body as { roles?: { value: string }[] };
    expect(stored.roles?.map((r) => r.value).sort()).toEqual(['app-admin', 'unrelated']);
    expect(await dir.revoke(uid, 'admin')).toEqual({ changed: true, before: ['admin'], after: [] });
    const after = (await ba.scim('GET', `/Users/${uid}`)).body as { roles?: { value: string }[] };
    expect(after.roles?.map((r) => r.value)).toEqual(['unrelated']);
  });
});

describe('Better Auth SCIM: attribute role model', () => {
  it('replaces and removes an Enterprise extension attribute', async () => {
    const uid = await ba.createUser({ userName: 'attr-model@example.com' });
    const { dir } = makeDirectory(ba.baseUrl, {
      token: ba.token,
      scim: {
        roleModel: 'attribute',
        attributePath: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
      },
      roles: { ops: {}, eng: { value: 'engineering' } },
    });
    expect(await dir.getRoles(uid)).toEqual([]);
    expect(await dir.grant(uid, 'ops')).toEqual({ changed: true, before: [], after: ['ops'] });
    expect(await dir.grant(uid, 'eng')).toEqual({ changed: true, before: ['ops'], after: ['eng'] });
    expect((await dir.revoke(uid, 'ops')).changed).toBe(false);
    expect(await dir.revoke(uid, 'eng')).toEqual({ changed: true, before: ['eng'], after: [] });
  });

  it('uses a core single-valued attribute such as title', async () => {
    const uid = await ba.createUser({ userName: 'title-model@example.com', title: 'Engineer' });
    const { dir } = makeDirectory(ba.baseUrl, {
      token: ba.token,
      scim: { roleModel: 'attribute', attributePath: 'title' },
      roles: { lead: { value: 'Team Lead' } },
    });
    expect(await dir.getRoles(uid)).toEqual([]);
    expect(await dir.grant(uid, 'lead')).toEqual({ changed: true, before: [], after: ['lead'] });
    expect(((await ba.scim('GET', `/Users/${uid}`)).body as { title?: string }).title).toBe('Team Lead');
    expect(await dir.revoke(uid, 'lead')).toEqual({ changed: true, before: ['lead'], after: [] });
  });
});

describe('Better Auth SCIM: errors', () => {
  it('maps a wrong token to SCIM.AUTH without echoing it', async () => {
    const wrong = 'wrong-token-value-123456';
    const { dir, logs } = makeDirectory(ba.baseUrl, { token: wrong });
    const err = await failure(dir.findUserByUserName('Alice.Smith'));
    expect(err.code).toBe('SCIM.AUTH');
    expect(err.message).toContain('401');
    expect(err.message).not.toContain(wrong);
    expect(logs()).not.toContain(wrong);
  });

  it('reports a missing token variable as a config problem, before any request', async () => {
    const { dir } = makeDirectory(ba.baseUrl, { env: {} });
    const err = await failure(dir.getUser('x'));
    expect(err.code).toBe('CONFIG.INVALID');
    expect(err.message).toContain(TOKEN_ENV);
    expect(dir.stats.requests).toBe(0);
  });
});
