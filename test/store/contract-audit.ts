import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AuditKeyring, parseAuditKeys } from '../../src/adapters/store/audit-keys.ts';
import type { StoreSet } from '../../src/adapters/store/shared.ts';
import type { AuditRecord } from '../../src/core/audit.ts';
import type { StoreHarness } from './contract.ts';
import { expectCode } from './contract.ts';
import { makeEvent } from './fixtures.ts';

/** An independent canonical form (sorted keys via a replacer), so the test does not trust our own. */
function sortedJson(record: AuditRecord): string {
  const { hash: _h, ...rest } = record;
  const sorted = (_k: string, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v;
  return JSON.stringify(rest, sorted);
}

function independentHash(record: AuditRecord): string {
  return createHash('sha256').update(sortedJson(record)).digest('hex');
}

const K1 = 'k1=first-secret-of-at-least-32-characters';
const K2 = 'k2=second-secret-of-at-least-32-chars!';

export function auditContract(
  harness: () => StoreHarness,
  second: (options?: { auditKeys?: AuditKeyring }) => Promise<StoreSet>,
): void {
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
      expect(await audit.verify()).toMatchObject({ ok: true, count: 4, legacy: 4 });
    });

    it('refuses an invalid event and appends nothing', async () => {
      const audit = harness().stores.audit;
      await expectCode(audit.append({ kind: 'nonsense', at: 'x', tenantId: 'T1' } as never), 'INTERNAL');
      await expectCode(audit.append({ kind: 'requested' } as never), 'INTERNAL');
      expect(await audit.verify()).toMatchObject({ ok: true, count: 0 });
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
      expect(await h.stores.audit.verify()).toMatchObject({ ok: true, count: 40 });
      const stored = await h.stores.audit.query({});
      expect(stored.map((r) => r.note).sort()).toEqual(results.map((r) => r.note).sort());
    });

    it('reports the first tampered record', async () => {
      const h = harness();
      for (let i = 0; i < 5; i++) await h.stores.audit.append(makeEvent({ note: `n${i}` }));
      await h.tamperAudit(3);
      expect(await h.stores.audit.verify()).toMatchObject({
        ok: false,
        count: 5,
        brokenAt: 3,
        reason: 'chain',
      });
    });

    it('reports a deleted record as a break', async () => {
      const h = harness();
      for (let i = 0; i < 4; i++) await h.stores.audit.append(makeEvent({ note: `n${i}` }));
      await h.deleteAudit(2);
      expect(await h.stores.audit.verify()).toMatchObject({ ok: false, brokenAt: 2 });
    });

    it('seals with the first key, verifies older keys after rotation, and names a missing key', async () => {
      const h = harness();
      const one = await second({ auditKeys: parseAuditKeys(K1) });
      const both = await second({ auditKeys: parseAuditKeys(`${K2},${K1}`) });
      const a = await one.audit.append(makeEvent({ note: 'a' }));
      const b = await both.audit.append(makeEvent({ note: 'b' }));
      expect([a.keyId, b.keyId]).toEqual(['k1', 'k2']);
      // An outside HMAC over sorted-key JSON of the record without its hash.
      expect(b.hash).toBe(createHmac('sha256', K2.slice(3)).update(sortedJson(b)).digest('hex'));
      expect(await both.audit.query({})).toEqual([a, b]);
      expect(await both.audit.verify()).toMatchObject({
        ok: true,
        count: 2,
        legacy: 0,
        keyIds: ['k1', 'k2'],
      });
      expect(await one.audit.verify()).toMatchObject({
        ok: false,
        brokenAt: 2,
        reason: 'unknown_key',
        detail: 'k2',
      });
      expect(await h.stores.audit.verify()).toMatchObject({ ok: false, brokenAt: 1, reason: 'unknown_key' });
      // Unkeyed appends after keyed ones are a downgrade, and break the chain there.
      await h.stores.audit.append(makeEvent({ note: 'c' }));
      expect(await both.audit.verify()).toMatchObject({
        ok: false,
        brokenAt: 3,
        reason: 'unkeyed_after_keyed',
      });
    });

    it('detects a dropped tail and a rewritten record against checkpoints', async () => {
      const h = harness();
      const keyed = await second({ auditKeys: parseAuditKeys(K1) });
      const records = [];
      for (let i = 0; i < 4; i++) records.push(await keyed.audit.append(makeEvent({ note: `n${i}` })));
      const cp = (r: AuditRecord) => ({
        type: 'rolecall.audit.checkpoint' as const,
        seq: r.seq,
        hash: r.hash,
        at: r.at,
      });
      expect(await keyed.audit.verify({ checkpoints: records.map(cp) })).toMatchObject({
        ok: true,
        checkpoint: { seq: 4 },
        head: { seq: 4, hash: records[3]!.hash },
      });
      expect(
        await keyed.audit.verify({ checkpoints: [{ ...cp(records[1]!), hash: 'f'.repeat(64) }] }),
      ).toMatchObject({
        ok: false,
        brokenAt: 2,
        reason: 'checkpoint_mismatch',
      });
      await h.deleteAudit(4);
      expect(await keyed.audit.verify({ checkpoints: [cp(records[3]!)] })).toMatchObject({
        ok: false,
        brokenAt: 4,
        reason: 'truncated',
      });
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
      expect(await seqs({ limit: 2, order: 'desc' })).toEqual([5, 4]);
      expect(await seqs({ tenantId: 'T1', order: 'desc' })).toEqual([5, 3, 2, 1]);

      expect(await seqs({ tenantId: 'T1', limit: 3, since: '2025-01-02T00:00:00.000Z' })).toEqual([2, 3, 5]);
    });
  });
}
