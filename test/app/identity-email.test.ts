import { describe, expect, it } from 'vitest';
import { toChatUser } from '../../src/adapters/slack/chat.ts';
import { identify } from '../../src/app/identify.ts';
import { usePeopleWorld } from '../support/people-world.ts';
import type { PeopleChat } from './people-chat.ts';
import type { Proc } from './world.ts';

/**
 * Found on the way in issue 13: identity rests on the Slack profile email. Only an address Slack
 * says was confirmed is used, and it must be the directory user's primary address unless the
 * tenant's policy says `scim.emailMatch: any`.
 */
describe('the Slack profile email as identity', () => {
  it('an address the user never confirmed is not used (Slack user object: is_email_confirmed)', () => {
    const base = { id: 'U0SAM', team_id: 'T0ACME', name: 'sam', profile: { email: 'sam@acme.test' } };
    expect(toChatUser({ ...base, is_email_confirmed: true }, 'U0SAM').email).toBe('sam@acme.test');
    expect(toChatUser({ ...base, is_email_confirmed: false }, 'U0SAM').email).toBeUndefined();
    expect(toChatUser(base, 'U0SAM').email).toBeUndefined();
  });

  describe('primary address', () => {
    const world = usePeopleWorld();
    const boot = async (): Promise<{ p: Proc; chat: PeopleChat }> => {
      const { w, p, chat } = await world.boot();
      // Sam's directory record: primary sam@, and a shared mailbox as a second address.
      w.scim.state.addUser({
        userName: 'sam@acme.test',
        displayName: 'Sam Shared',
        emails: [
          { value: 'billing@acme.test', type: 'other' },
          { value: 'sam@acme.test', type: 'work', primary: true },
        ],
      });
      chat.addPerson('U0SAM', 'U0SAM', 'sam@acme.test');
      chat.addPerson('U0MAILBOX', 'U0MAILBOX', 'billing@acme.test');
      return { p, chat };
    };

    it('the primary address identifies; a secondary one (a shared mailbox) does not', async () => {
      const { p } = await boot();
      const sam = await identify(p.deps, 'U0SAM', undefined);
      expect(sam.ok && sam.person.kind === 'member' && sam.person.user.userName).toBe('sam@acme.test');
      const other = await identify(p.deps, 'U0MAILBOX', undefined);
      expect(other).toMatchObject({ ok: false, refusal: 'not_in_directory' });
    });

    it('emailMatch: any lets any of the addresses identify', async () => {
      const { p } = await boot();
      p.deps.policy = {
        ...p.deps.policy,
        tenants: p.deps.policy.tenants.map((t) => ({
          ...t,
          scim: { ...t.scim, emailMatch: 'any' as const },
        })),
      };
      const other = await identify(p.deps, 'U0MAILBOX', undefined);
      expect(other.ok && other.person.kind === 'member' && other.person.user.userName).toBe('sam@acme.test');
    });
  });
});
