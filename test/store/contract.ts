import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditKeyring } from '../../src/adapters/store/audit-keys.ts';
import type { StoreSet } from '../../src/adapters/store/shared.ts';
import { isRolecallError } from '../../src/core/errors.ts';
import { auditContract } from './contract-audit.ts';
import { makeRequest, nextVersion } from './fixtures.ts';

/** What a store adapter's test file provides so the one contract suite can run against it. */
export interface StoreHarness {
  stores: StoreSet;
  /** A second, independent connection (client) to the same data, as another process would have. */
  reconnect(options?: { auditKeys?: AuditKeyring }): Promise<StoreSet>;
  /** Damage a stored request behind the adapter's back so it no longer parses. */
  corruptRequest(id: string): Promise<void>;
  /** Change one field of a stored audit record directly in the database. */
  tamperAudit(seq: number): Promise<void>;
  /** Remove one stored audit record directly in the database. */
  deleteAudit(seq: number): Promise<void>;
  dispose(): Promise<void>;
}

export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeDefined();
  expect(isRolecallError(err) ? err.code : err).toBe(code);
}

export function storeContract(name: string, open: () => Promise<StoreHarness>): void {
  describe(`${name} store contract`, () => {
    let h: StoreHarness;
    let extra: StoreSet[] = [];
    const second = async (options?: { auditKeys?: AuditKeyring }) => {
      const s = await h.reconnect(options);
      extra.push(s);
      return s;
    };
    beforeEach(async () => {
      h = await open();
      extra = [];
    });
    afterEach(async () => {
      for (const s of extra) await s.close();
      await h.dispose();
    });

    describe('RequestStore', () => {
      it('round-trips a request as a deep, unshared copy', async () => {
        const r = makeRequest({ relayedBy: { slackUserId: 'UVENDOR', displayName: 'Vendor' } });
        await h.stores.requests.create(r);
        const a = await h.stores.requests.get(r.id);
        expect(a).toEqual(r);
        r.requester.email = 'changed@example.com';
        a!.approvals.push({ approver: { slackUserId: 'UX' }, at: r.createdAt });
        const b = await h.stores.requests.get(r.id);
        expect(b?.requester.email).toBe('req@example.com');
        expect(b?.approvals).toEqual([]);
        expect(b).not.toBe(a);
        expect(await h.stores.requests.get('no-such-id')).toBeUndefined();
      });

      it('refuses a second create with the same id and keeps the first', async () => {
        const r = makeRequest();
        await h.stores.requests.create(r);
        await expectCode(h.stores.requests.create({ ...r, role: 'owner' }), 'STORE.DUPLICATE');
        expect((await h.stores.requests.get(r.id))?.role).toBe('billing-admin');
      });

      it('refuses invalid input without writing', async () => {
        const r = makeRequest();
        await expectCode(h.stores.requests.create({ ...r, version: 3 }), 'INTERNAL');
        await expectCode(h.stores.requests.create({ ...r, state: 'bogus' as never }), 'INTERNAL');
        expect(await h.stores.requests.get(r.id)).toBeUndefined();
        await h.stores.requests.create(r);
        await expectCode(h.stores.requests.save({ ...r, version: 2 }, 0), 'INTERNAL');
        expect((await h.stores.requests.get(r.id))?.version).toBe(0);
      });

      it('saves by compare-and-set on version', async () => {
        const r = makeRequest({ claimedAt: '2025-01-01T00:00:00.000Z' });
        await h.stores.requests.create(r);
        const v1 = nextVersion(r, { state: 'applying', claimedAt: undefined });
        expect(await h.stores.requests.save(v1, 0)).toBe(true);
        const got = await h.stores.requests.get(r.id);
        expect(got).toEqual(JSON.parse(JSON.stringify(v1)));
        expect(got && 'claimedAt' in got).toBe(false);
        // A stale writer (still holding version 0) loses and changes nothing.
        expect(await h.stores.requests.save(nextVersion(r, { state: 'cancelled' }), 0)).toBe(false);
        expect((await h.stores.requests.get(r.id))?.state).toBe('applying');
        expect(await h.stores.requests.save(nextVersion(makeRequest()), 0)).toBe(false);
      });

      it('lets exactly one of 50 concurrent saves from one version win, across two connections', async () => {
        const r = makeRequest();
        await h.stores.requests.create(r);
        const other = await second();
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (i % 2 ? other : h.stores).requests.save(nextVersion(r, { justification: `writer-${i}` }), 0),
          ),
        );
        const winners = results.flatMap((won, i) => (won ? [i] : []));
        expect(winners).toHaveLength(1);
        const stored = await h.stores.requests.get(r.id);
        expect(stored?.version).toBe(1);
        expect(stored?.justification).toBe(`writer-${winners[0]}`);
      });

      it('finds by tenant, state, requester, target, role and due instants, newest first', async () => {
        const s = h.stores.requests;
        const a = makeRequest({ state: 'applied', grantEndsAt: '2025-02-01T00:00:00.000Z' });
        const b = makeRequest({ tenantId: 'T2', state: 'applied', grantEndsAt: '2025-03-01T00:00:00.000Z' });
        const c = makeRequest({
          state: 'awaiting_approval',
          requester: { slackUserId: 'UOTHER' },
          confirmationExpiresAt: undefined,
          pendingExpiresAt: '2025-01-05T00:00:00.000Z',
        });
        const d = makeRequest({
          target: { slackUserId: 'UTGT2', scimId: 'scim-tgt2' },
          role: 'viewer',
          confirmationExpiresAt: '2025-01-09T00:00:00.000Z',
        });
        for (const r of [a, b, c, d]) await s.create(r);
        const ids = (rs: { id: string }[]) => rs.map((r) => r.id);

        expect(ids(await s.find({}))).toEqual([d.id, c.id, b.id, a.id]);
        expect(ids(await s.find({ tenantId: 'T2' }))).toEqual([b.id]);
        expect(ids(await s.find({ states: ['applied', 'awaiting_approval'] }))).toEqual([c.id, b.id, a.id]);
        expect(ids(await s.find({ states: [] }))).toEqual([]);
        expect(ids(await s.find({ requesterSlackUserId: 'UOTHER' }))).toEqual([c.id]);
        expect(ids(await s.find({ targetSlackUserId: 'UTGT2' }))).toEqual([d.id]);
        expect(ids(await s.find({ targetScimId: 'scim-tgt2' }))).toEqual([d.id]);
        expect(
          ids(await s.find({ targetScimId: 'scim-tgt', role: 'billing-admin', tenantId: 'T1' })),
        ).toEqual([c.id, a.id]);
        expect(ids(await s.find({ role: 'viewer' }))).toEqual([d.id]);
        expect(ids(await s.find({ grantEndsBefore: '2025-02-01T00:00:00.000Z' }))).toEqual([a.id]);
        expect(ids(await s.find({ grantEndsBefore: '2025-12-31T00:00:00.000Z', tenantId: 'T1' }))).toEqual([
          a.id,
        ]);
        // a/b keep the fixture's confirmationExpiresAt (01:00 on Jan 1); c expires pending on Jan 5.
        expect(ids(await s.find({ expiresBefore: '2025-01-05T00:00:00.000Z' }))).toEqual([c.id, b.id, a.id]);
        expect(ids(await s.find({ expiresBefore: '2025-01-01T00:30:00.000Z' }))).toEqual([]);
        expect(
          ids(await s.find({ expiresBefore: '2025-01-09T00:00:00.000Z', states: ['awaiting_confirmation'] })),
        ).toEqual([d.id]);
        expect(ids(await s.find({ limit: 2 }))).toEqual([d.id, c.id]);
      });

      it('keeps index fields in step with saves', async () => {
        const r = makeRequest({ state: 'applied', grantEndsAt: '2025-02-01T00:00:00.000Z' });
        await h.stores.requests.create(r);
        await h.stores.requests.save(nextVersion(r, { state: 'revoked', grantEndsAt: undefined }), 0);
        expect(await h.stores.requests.find({ grantEndsBefore: '2026-01-01T00:00:00.000Z' })).toEqual([]);
        expect(await h.stores.requests.find({ states: ['applied'] })).toEqual([]);
        expect((await h.stores.requests.find({ states: ['revoked'] })).map((x) => x.version)).toEqual([1]);
      });

      it('returns 50 by default', async () => {
        await Promise.all(Array.from({ length: 55 }, () => h.stores.requests.create(makeRequest())));
        expect(await h.stores.requests.find({})).toHaveLength(50);
        expect(await h.stores.requests.find({ limit: 0 })).toHaveLength(1);
      });

      it('counts what find would match, without a limit', async () => {
        const r = h.stores.requests;
        for (let i = 0; i < 7; i++) await r.create(makeRequest({ state: 'awaiting_approval' }));
        for (let i = 0; i < 3; i++)
          await r.create(makeRequest({ state: 'applied', grantEndsAt: '2025-03-01T00:00:00.000Z' }));
        await r.create(makeRequest({ state: 'applied', durationMs: undefined, tenantId: 'T2' }));
        expect(await r.count({})).toBe(11);
        expect(await r.count({ states: ['awaiting_approval'] })).toBe(7);
        expect(await r.count({ states: ['applied'], grantEndsBefore: '9999-12-31T23:59:59.999Z' })).toBe(3);
        expect(await r.count({ tenantId: 'T2' })).toBe(1);
        expect(await r.count({ states: [] })).toBe(0);
      });

      it('pages newest first with a (createdAt, id) cursor, seeing every row once', async () => {
        const r = h.stores.requests;
        const made = [];
        for (let i = 0; i < 23; i++) {
          const x = makeRequest({ state: 'applied' });
          made.push(x);
          await r.create(x);
        }
        // Two rows created in the same instant: the id breaks the tie, so neither is skipped.
        const twin = makeRequest({ state: 'applied', createdAt: made[10]!.createdAt });
        await r.create(twin);
        const seen: string[] = [];
        let before: { createdAt: string; id: string } | undefined;
        for (;;) {
          const page = await r.find({ states: ['applied'], limit: 5, ...(before ? { before } : {}) });
          seen.push(...page.map((x) => x.id));
          const last = page.at(-1);
          if (page.length < 5 || !last) break;
          before = { createdAt: last.createdAt, id: last.id };
        }
        expect(seen).toHaveLength(24);
        expect(new Set(seen).size).toBe(24);
        expect(seen[0]).toBe(made[22]!.id);
        expect(seen.at(-1)).toBe(made[0]!.id);
      });

      it('reports a corrupt row as STORE.CORRUPT', async () => {
        const r = makeRequest();
        await h.stores.requests.create(r);
        await h.stores.requests.create(makeRequest());
        await h.corruptRequest(r.id);
        await expectCode(h.stores.requests.get(r.id), 'STORE.CORRUPT');
        await expectCode(h.stores.requests.find({}), 'STORE.CORRUPT');
      });

      it('fails closed with STORE.UNAVAILABLE once the store is closed', async () => {
        const r = makeRequest();
        await h.stores.requests.create(r);
        expect(await h.stores.requests.ping()).toBe(true);
        await h.stores.close();
        expect(await h.stores.requests.ping()).toBe(false);
        await expectCode(h.stores.requests.get(r.id), 'STORE.UNAVAILABLE');
        await expectCode(h.stores.requests.save(nextVersion(r), 0), 'STORE.UNAVAILABLE');
        await expectCode(h.stores.requests.create(makeRequest()), 'STORE.UNAVAILABLE');
        await expectCode(h.stores.requests.find({}), 'STORE.UNAVAILABLE');
        await expectCode(h.stores.events.firstSeen('k', new Date()), 'STORE.UNAVAILABLE');
        await expectCode(h.stores.events.prune(new Date()), 'STORE.UNAVAILABLE');
        await expectCode(
          h.stores.audit.append({ kind: 'requested', at: r.createdAt, tenantId: 'T1' }),
          'STORE.UNAVAILABLE',
        );
        await expectCode(h.stores.audit.query({}), 'STORE.UNAVAILABLE');
        await expectCode(h.stores.audit.verify(), 'STORE.UNAVAILABLE');
      });
    });

    describe('EventDeduplicator', () => {
      it('says firstSeen once per key', async () => {
        const at = new Date('2025-01-01T00:00:00Z');
        expect(await h.stores.events.firstSeen('Ev1', at)).toBe(true);
        expect(await h.stores.events.firstSeen('Ev1', at)).toBe(false);
        expect(await h.stores.events.firstSeen('Ev2', at)).toBe(true);
      });

      it('lets exactly one of 50 concurrent callers see a key first, across two connections', async () => {
        const other = await second();
        const at = new Date('2025-01-01T00:00:00Z');
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => (i % 2 ? other : h.stores).events.firstSeen('EvRace', at)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('prunes keys older than the cutoff only', async () => {
        const e = h.stores.events;
        await e.firstSeen('old1', new Date('2025-01-01T00:00:00Z'));
        await e.firstSeen('old2', new Date('2025-01-01T12:00:00Z'));
        await e.firstSeen('new', new Date('2025-01-03T00:00:00Z'));
        expect(await e.prune(new Date('2025-01-02T00:00:00Z'))).toBe(2);
        expect(await e.firstSeen('new', new Date('2025-01-03T00:00:00Z'))).toBe(false);
        expect(await e.firstSeen('old1', new Date('2025-01-04T00:00:00Z'))).toBe(true);
        expect(await e.prune(new Date('2025-01-02T00:00:00Z'))).toBe(0);
      });
    });

    auditContract(() => h, second);
  });
}
