import { describe, expect, it } from 'vitest';
import { applyChange } from '../../src/app/apply-change.ts';
import { decideRequest } from '../../src/app/approve-request.ts';
import type { Decision } from '../../src/core/decision.ts';
import { transition } from '../../src/core/request.ts';
import type { RoleRequest } from '../../src/core/request-record.ts';
import type { Card } from '../../src/ports/chat.ts';
import { useTestMongo } from '../support/mongo-per-file.ts';
import { usePeopleWorld } from '../support/people-world.ts';
import type { Proc, StoreKind } from './world.ts';

/**
 * Issue 13 finding 4: in a two-owner approval, an approver removed from Owners and deactivated after
 * approving must not count: every counted approver is checked again, fresh from the directory, when
 * the quorum is reached and again at apply.
 */
const mongo = useTestMongo();

describe.each(['sqlite', 'mongodb'] as StoreKind[])(
  'approvals are re-validated at quorum and at apply (%s)',
  (kind) => {
    const world = usePeopleWorld(kind, mongo);
    const TWO_OWNERS: Decision = {
      kind: 'needs_approval',
      ruleId: 'rule-3',
      approverRoles: ['owner'],
      count: 2,
      capped: false,
    };
    const owners = ['oscar', 'pat'] as const;
    const boot = async () => {
      const { w, p, chat } = await world.boot();
      const group = [...w.scim.state.groups.values()].find((g) => g.displayName === 'Owners')!;
      for (const name of owners) {
        const email = `${name}@acme.test`;
        const user = w.scim.state.addUser({ userName: email, displayName: name, emails: [email] });
        group.members = [...((group.members as { value: string }[]) ?? []), { value: user.id }];
        chat.addPerson(`U0${name.toUpperCase()}`, name, email);
      }
      return { w, p, chat };
    };
    const userOf = (name: string) =>
      [...world.w.scim.state.users.values()].find((u) => u.userName === `${name}@acme.test`)!;
    /** Removed from Owners and deactivated, as an admin or an IdP sync would do it. */
    const demote = (name: string) => {
      const id = userOf(name).id;
      const group = [...world.w.scim.state.groups.values()].find((g) => g.displayName === 'Owners')!;
      group.members = ((group.members as { value: string }[]) ?? []).filter((m) => m.value !== id);
      userOf(name).active = false;
    };
    const replies: Card[] = [];
    const approve = (p: Proc, id: string, name: string) =>
      decideRequest(
        p.deps,
        id,
        { userId: `U0${name.toUpperCase()}`, teamId: 'T0ACME' },
        { kind: 'approve' },
        async (c) => {
          replies.push(c);
        },
      );
    const ownerRequest = (p: Proc) =>
      world.w.approvedRequest(p, { requester: 'olga', target: 'erin', role: 'owner', decision: TWO_OWNERS });

    it('at quorum: an approver demoted and deactivated since their click no longer counts', async () => {
      const { w, p } = await boot();
      const r = await ownerRequest(p);
      expect(r.state).toBe('awaiting_approval');
      await approve(p, r.id, 'oscar');
      demote('oscar');
      await approve(p, r.id, 'pat');
      const after = await p.deps.requests.get(r.id);
      expect(after?.state).toBe('awaiting_approval');
      expect(after?.approvals.map((a) => a.approver.email)).toEqual(['pat@acme.test']);
      expect(w.groupMembers('Owners')).not.toContain(w.scimId('erin'));
      expect(w.patches()).toBe(0);
      const refused = await p.deps.audit.query({ requestId: r.id, kinds: ['approval_refused'] });
      expect(refused.map((a) => [a.actor?.email, a.outcome])).toEqual([['oscar@acme.test', 'inactive']]);
    });

    it('at quorum: approvers who still qualify complete it and the change is applied', async () => {
      const { w, p } = await boot();
      const r = await ownerRequest(p);
      await approve(p, r.id, 'oscar');
      await approve(p, r.id, 'pat');
      expect((await p.deps.requests.get(r.id))?.state).toBe('applied');
      expect(w.groupMembers('Owners')).toContain(w.scimId('erin'));
    });

    it('at apply: an approval that went stale after the quorum (e.g. before a retry) stops the change', async () => {
      const { w, p } = await boot();
      let r: RoleRequest = await ownerRequest(p);
      for (const name of owners) {
        const t = transition(
          r,
          {
            kind: 'approve',
            approval: {
              approver: {
                email: `${name}@acme.test`,
                scimId: userOf(name).id,
                slackUserId: `U0${name.toUpperCase()}`,
              },
              at: w.clock.now().toISOString(),
            },
          },
          w.clock.now(),
        );
        if (!t.ok) throw new Error(t.reason);
        expect(await p.deps.requests.save(t.request, r.version)).toBe(true);
        r = t.request;
      }
      expect(r.state).toBe('approved');
      userOf('pat').active = false;
      const done = await applyChange(p.deps, r);
      expect(done.state).toBe('failed');
      expect(done.error?.code).toBe('POLICY.DENIED');
      expect(w.patches()).toBe(0);
      expect(w.groupMembers('Owners')).not.toContain(w.scimId('erin'));
      const failed = await p.deps.audit.query({ requestId: r.id, kinds: ['failed'] });
      expect(failed[0]?.note).toMatch(/no longer counts: inactive/);
    });
  },
);
