import { afterEach, describe, expect, it } from 'vitest';
import { expireAndRemind, revokeDueGrants } from '../../src/app/revoke-due.ts';
import { runningGrant } from '../../src/app/running-grant.ts';
import { startScheduler } from '../../src/scheduler.ts';
import { makeRequest } from '../store/fixtures.ts';
import { HOUR, startWorld, type World } from './world.ts';

/**
 * Issue 15 items 3 and 4: scheduled decisions see every due request, not a clamped first batch,
 * and the scheduler tick forgets old delivery keys.
 */
let w: World;
afterEach(async () => {
  await w?.close();
});
const noMongo = () => {
  throw new Error('sqlite only');
};
const at = (ms: number) => new Date(ms).toISOString();

describe('expiry and revocation past one page', () => {
  it('expires an old due request behind 501 newer ones the query matches but that are not due', async () => {
    w = await startWorld('sqlite', noMongo);
    const p = await w.boot();
    const now = w.clock.now().getTime();
    const tenantId = p.deps.policy.tenants[0]!.id;
    const due = makeRequest({
      tenantId,
      state: 'awaiting_approval',
      createdAt: at(now - 2 * HOUR),
      updatedAt: at(now - 2 * HOUR),
      pendingExpiresAt: at(now - 60_000),
      confirmationExpiresAt: undefined,
    });
    await p.stores.requests.create(due);
    // Records from before confirm dropped the spent card deadline: matched by the query (its
    // confirmationExpiresAt has passed) but their own pending deadline has not.
    for (let i = 0; i < 501; i++)
      await p.stores.requests.create(
        makeRequest({
          tenantId,
          state: 'awaiting_approval',
          createdAt: at(now - HOUR + i * 1000),
          updatedAt: at(now - HOUR + i * 1000),
          pendingExpiresAt: at(now + 10 * HOUR),
          confirmationExpiresAt: at(now - HOUR),
          reminderSentAt: at(now - HOUR),
        }),
      );
    const result = await expireAndRemind(p.deps);
    expect(result.expired).toBe(1);
    expect((await p.stores.requests.get(due.id))?.state).toBe('expired');
  });

  it('retries an old failed revocation behind 501 newer ones still waiting out their pause', async () => {
    w = await startWorld('sqlite', noMongo);
    const p = await w.boot();
    const now = w.clock.now().getTime();
    const old = makeRequest({
      tenantId: 'acme',
      state: 'revoke_failed',
      requester: w.identity('alice'),
      target: w.identity('bob'),
      role: 'editor',
      createdAt: at(now - 3 * HOUR),
      updatedAt: at(now - HOUR),
      appliedAt: at(now - 3 * HOUR),
      grantEndsAt: at(now - 2 * HOUR),
      rolesBefore: ['viewer'],
      rolesAfter: ['viewer', 'editor'],
      confirmationExpiresAt: undefined,
      error: { code: 'SCIM.UNAVAILABLE', message: 'down' },
    });
    await p.stores.requests.create(old);
    for (let i = 0; i < 501; i++)
      await p.stores.requests.create(
        makeRequest({
          state: 'revoke_failed',
          createdAt: at(now - 2 * HOUR + i * 1000),
          // Failed just now: inside REVOKE_RETRY_MS, skipped this tick.
          updatedAt: at(now),
          appliedAt: at(now - 2 * HOUR),
          grantEndsAt: at(now - HOUR),
          confirmationExpiresAt: undefined,
          error: { code: 'SCIM.UNAVAILABLE', message: 'down' },
        }),
      );
    await revokeDueGrants(p.deps);
    expect((await p.stores.requests.get(old.id))?.state).toBe('revoked');
  });
});

describe('delivery keys', () => {
  it('the scheduler tick prunes keys older than a day and keeps recent ones', async () => {
    w = await startWorld('sqlite', noMongo);
    const p = await w.boot();
    const now = w.clock.now().getTime();
    await p.stores.events.firstSeen('msg:old', new Date(now - 25 * HOUR));
    // Within Slack's retry window (minutes) and well within the retention.
    await p.stores.events.firstSeen('msg:recent', new Date(now - 10 * 60_000));
    await startScheduler(p.deps, HOUR).tick();
    expect(await p.stores.events.firstSeen('msg:old', new Date(now))).toBe(true);
    expect(await p.stores.events.firstSeen('msg:recent', new Date(now))).toBe(false);
  });
});

describe('the continuous span of a running grant', () => {
  it('is judged on the whole history, past 500 earlier grants', async () => {
    w = await startWorld('sqlite', noMongo);
    const p = await w.boot();
    const now = w.clock.now().getTime();
    const base = {
      tenantId: 'acme',
      target: w.identity('bob'),
      role: 'editor',
      confirmationExpiresAt: undefined,
    };
    // 500 short grants ended long ago, newer than nothing that matters; then the running one.
    for (let i = 0; i < 500; i++)
      await p.stores.requests.create(
        makeRequest({
          ...base,
          state: 'revoked',
          createdAt: at(now - 1000 * HOUR + i * HOUR),
          updatedAt: at(now - 1000 * HOUR + i * HOUR),
          appliedAt: at(now - 1000 * HOUR + i * HOUR),
          grantEndsAt: at(now - 1000 * HOUR + i * HOUR + 60_000),
        }),
      );
    const running = makeRequest({
      ...base,
      state: 'applied',
      createdAt: at(now - HOUR),
      updatedAt: at(now - HOUR),
      appliedAt: at(now - HOUR),
      grantEndsAt: at(now + HOUR),
    });
    await p.stores.requests.create(running);
    const found = await runningGrant(p.deps, 'acme', w.scimId('bob'), 'editor', new Date(now));
    expect(found).toEqual({ requestId: running.id, since: at(now - HOUR), endsAt: at(now + HOUR) });
  });
});
