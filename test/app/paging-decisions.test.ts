import { afterEach, describe, expect, it } from 'vitest';
import { expireAndRemind } from '../../src/app/revoke-due.ts';
import { makeRequest } from '../store/fixtures.ts';
import { startWorld, type World } from './world.ts';

/**
 * Issue 13 item 7: scheduled decisions read every matching request, not the newest 500. Here 501
 * requests wait for approval, all within their reminder window; the oldest must be reminded too.
 */
describe('reminders past one page', () => {
  let w: World;
  afterEach(async () => {
    await w?.close();
  });

  it('reminds the approvers of every pending request, the oldest included', async () => {
    w = await startWorld('sqlite', () => {
      throw new Error('no MongoDB in this file');
    });
    const p = await w.boot();
    const now = w.clock.now().getTime();
    const tenantId = p.deps.policy.tenants[0]!.id;
    const ids: string[] = [];
    for (let i = 0; i < 501; i++) {
      const r = makeRequest({
        tenantId,
        state: 'awaiting_approval',
        createdAt: new Date(now - 3_600_000 + i * 1000).toISOString(),
        updatedAt: new Date(now - 3_600_000 + i * 1000).toISOString(),
        // Inside the reminder window (default 2 h before the deadline), not yet expired.
        pendingExpiresAt: new Date(now + 60_000).toISOString(),
        confirmationExpiresAt: undefined,
        approvalMessages: [{ channelId: 'CAPPROVALS', ts: `1700000000.${String(i).padStart(6, '0')}` }],
      });
      ids.push(r.id);
      await p.stores.requests.create(r);
    }
    const result = await expireAndRemind(p.deps);
    expect(result.reminded).toBe(501);
    expect((await p.stores.requests.get(ids[0]!))?.reminderSentAt).toBeDefined();
  });
});
