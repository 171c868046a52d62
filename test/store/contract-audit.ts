import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StoreSet } from '../../src/adapters/store/shared.ts';
import type { AuditRecord } from '../../src/core/audit.ts';
import type { StoreHarness } from './contract.ts';
import { expectCode } from './contract.ts';
import { makeEvent } from './fixtures.ts';

/** An independent canonical form (sorted keys via a replacer), so the test does not trust our own. */
function independentHash(record: AuditRecord): string {
  const { hash: _h, ...rest } = record;
  const sorted = (_k: string, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v;
  return createHash('sha256').update(JSON.stringify(rest, sorted)).digest('hex');
}

export function auditContract(harness: () => StoreHarness, second: () => Promise<StoreSet>): void {
  describe('AuditLog', () => {
    it('assigns seq 1..n and links each record to the hash of the one before', async () => {
      const audit = harness().stores.audit;
      const records: AuditRecord[] = [];
      for (const kind of ['requested', 'confirmed', 'applying', 'applied'] as const) {
        records.push(await audit.append(makeEvent({ kind })));
      }
      expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
      expect(records[0]?.prevHash).toBe('0'.repeat(64));
      records.forEach((r, i) => {
        expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(r.hash).toBe(independentHash(r));
        if (i > 0) expect(r.prevHash).toBe(records[i - 1]?.hash);
      });
      // Defaults are applied before hashing, and what comes back is what was sealed.
      expect(records[3]).toMatchObject({ kind: 'applied', noop: false });
      expect(await audit.query({})).toEqual(records);
      expect(await audit.verify()).toEqual({ ok: true, count: 4 });
    });

    it('refuses an invalid event and appends nothing', async () => {
      const audit = harness().stores.audit;
      await expectCode(audit.append({ kind: 'nonsense', at: 'x', tenantId: 'T1' } as never), 'INTERNAL');
      await expectCode(audit.append({ kind: 'requested' } as never), 'INTERNAL');
      expect(await audit.verify()).toEqual({ ok: true, count: 0 });
    });

    it('forms one valid chain from concurrent appends on two connections', async () => {
      const h = harness();
      const other = await second();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 ? other : h.stores).audit.append(makeEvent({ note: `n${i}` })),
        ),
      );
      expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      expect(await h.stores.audit.verify()).toEqual({ ok: true, count: 40 });
      const stored = await h.stores.audit.query({});
      expect(stored.map((r) => r.note).sort()).toEqual(results.map((r) => r.note).sort());
    });

    it('reports the first tampered record', async () => {
      const h = harness();
      for (let i = 0; i < 5; i++) await h.stores.audit.append(makeEvent({ note: `n${i}` }));
      await h.tamperAudit(3);
      expect(await h.stores.audit.verify()).toEqual({ ok: false, count: 5, brokenAt: 3 });
    });

    it('reports a deleted record as a break', async () => {
      const h = harness();
      for (let i = 0; i < 4; i++) await h.stores.audit.append(makeEvent({ note: `n${i}` }));
      await h.deleteAudit(2);
      expect(await h.stores.audit.verify()).toMatchObject({ ok: false, brokenAt: 2 });
    });

    it('filters by tenant, user, kind, time, request, and limits oldest first', async () => {
      const audit = harness().stores.audit;
      const add = (o: Parameters<typeof makeEvent>[0]) => audit.append(makeEvent(o));
      await add({ kind: 'requested', at: '2025-01-01T00:00:00.000Z', requestId: 'r1' });
      await add({
        kind: 'approved',
        at: '2025-01-02T00:00:00.000Z',
        requestId: 'r1',
        actor: { slackUserId: 'UAPPROVER', email: 'boss@example.com', scimId: 'scim-boss' },
      });
      await add({ kind: 'applied', at: '2025-01-03T00:00:00.000Z', requestId: 'r1', noop: false } as never);
      await add({
        kind: 'requested',
        at: '2025-01-04T00:00:00.000Z',
        tenantId: 'T2',
        requestId: 'r2',
        requester: { slackUserId: 'UZED', email: 'zed@example.com' },
        target: { scimId: 'scim-zed' },
      });
      await add({
        kind: 'refused_sender',
        at: '2025-01-05T00:00:00.000Z',
        requestId: undefined,
        requester: undefined,
        target: undefined,
      });
      const seqs = async (q: Parameters<typeof audit.query>[0]) => (await audit.query(q)).map((r) => r.seq);

      expect(await seqs({})).toEqual([1, 2, 3, 4, 5]);
      expect(await seqs({ tenantId: 'T2' })).toEqual([4]);
      expect(await seqs({ user: 'UREQ1' })).toEqual([1, 2, 3]);
      expect(await seqs({ user: 'REQ@example.COM' })).toEqual([1, 2, 3]);
      expect(await seqs({ user: 'scim-tgt' })).toEqual([1, 2, 3]);
      expect(await seqs({ user: 'UAPPROVER' })).toEqual([2]);
      expect(await seqs({ user: 'boss@example.com' })).toEqual([2]);
      expect(await seqs({ user: 'scim-boss' })).toEqual([2]);
      expect(await seqs({ user: 'scim-zed' })).toEqual([4]);
      expect(await seqs({ user: 'nobody' })).toEqual([]);
      expect(await seqs({ kinds: ['applied', 'approved'] })).toEqual([2, 3]);
      expect(await seqs({ kinds: [] })).toEqual([]);
      expect(await seqs({ since: '2025-01-02T00:00:00.000Z' })).toEqual([2, 3, 4, 5]);
      expect(await seqs({ until: '2025-01-03T00:00:00.000Z' })).toEqual([1, 2]);
      expect(await seqs({ since: '2025-01-02T00:00:00.000Z', until: '2025-01-04T00:00:00.000Z' })).toEqual([
        2, 3,
      ]);
      expect(await seqs({ requestId: 'r1' })).toEqual([1, 2, 3]);
      expect(await seqs({ requestId: 'r1', user: 'UAPPROVER', kinds: ['approved'] })).toEqual([2]);
      expect(await seqs({ limit: 2 })).toEqual([1, 2]);
      expect(await seqs({ tenantId: 'T1', limit: 3, since: '2025-01-02T00:00:00.000Z' })).toEqual([2, 3, 5]);
    });
  });
}
