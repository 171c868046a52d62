import { describe, expect, it } from 'vitest';
import { parseOffline } from '../../src/adapters/intent/offline-parser.ts';
import type { Intent } from '../../src/core/intent.ts';

/**
 * The slot reader (issue 16 §1) behind the grammar: phrasings the grammar has no rule for, in our
 * own words (not a holdout's). Each of the first group was `none` before the reader existed; the
 * second group must stay `none` whatever the reader learns, since an unsafe answer is far worse
 * than "unclear".
 */
const ROLES = ['support-agent', 'support-lead', 'billing-admin', 'workspace-admin'];
const now = new Date('2025-03-12T15:00:00Z');
const parse = (text: string, roles = ROLES): Intent[] => parseOffline({ text, roles, timeZone: 'UTC', now });
const grant = (targets: unknown[], role: string, extra: Record<string, unknown> = {}) => ({
  kind: 'request_role_change',
  action: 'grant',
  targets,
  role,
  ...extra,
});
const U = (userId: string) => ({ kind: 'slack_user', userId });
const HOUR = 3_600_000;

describe('slot reader: requests the grammar has no rule for', () => {
  it('role first, the person after "for", then a reason after a second "for"', () => {
    expect(parse('support-lead access for <@U0RITA> for the spring campaign')).toEqual([
      grant([U('U0RITA')], 'support-lead', { justification: 'for the spring campaign' }),
    ]);
  });

  it('an idiom for "give" with a time and a question mark', () => {
    expect(parse('hook me up with support-agent for 2 hrs? cheers')).toEqual([
      grant([{ kind: 'me' }], 'support-agent', { durationMs: 2 * HOUR }),
    ]);
  });

  it('"could <@U…> be made …?" and a removal with a shorthand "frm"', () => {
    expect(parse('could <@U0TOM> be made a support-lead?')).toEqual([grant([U('U0TOM')], 'support-lead')]);
    expect(parse('pls revoke billing-admin frm <@U0TOM>')).toEqual([
      { kind: 'request_role_change', action: 'revoke', targets: [U('U0TOM')], role: 'billing-admin' },
    ]);
  });

  it('several people, each with a role, no verb', () => {
    expect(parse('Priya Shah → support-lead, Omar Haddad → support-agent')).toEqual([
      grant([{ kind: 'name', name: 'Priya Shah' }], 'support-lead'),
      grant([{ kind: 'name', name: 'Omar Haddad' }], 'support-agent'),
    ]);
  });

  it("a writer's introduction is not the request, even when it names a role", () => {
    expect(
      parse(
        'hi! billing-admin at Initech here. could you make <mailto:ann@initech.example|ann@initech.example> a support-agent?',
      ),
    ).toEqual([grant([{ kind: 'email', email: 'ann@initech.example' }], 'support-agent')]);
  });

  it('an emoji between the request and its reason ends the request', () => {
    expect(parse('could I grab workspace-admin for 20 min? 🙏 rotating the SSO cert')).toEqual([
      grant([{ kind: 'me' }], 'workspace-admin', {
        durationMs: 20 * 60_000,
        justification: 'rotating the SSO cert',
      }),
    ]);
  });

  it('a removal with "no longer needed" after it', () => {
    expect(parse('please remove my billing-admin role — no longer needed')).toEqual([
      {
        kind: 'request_role_change',
        action: 'revoke',
        targets: [{ kind: 'me' }],
        role: 'billing-admin',
        justification: 'no longer needed',
      },
    ]);
  });
});

describe('slot reader: what it must never read as a change', () => {
  for (const text of [
    'thanks for making me support-lead',
    "I'm giving <@U0TOM> support-lead",
    'I gave Tom support-lead yesterday',
    'Tom is a support-lead',
    'support-lead for Tom?',
    'give me support-lead for Tom',
    'For Maya: give me support-lead',
    'give support-lead',
    'support-lead for 2h',
    'give <@U0A1> support-agent for 2 hours and <@U0B2> support-lead',
    'remove support-lead from <@U0A1> for 2 hours',
    'could I make <@U0A1> support-lead?',
    'support-lead for <@U0A1> if her manager agrees',
    'support-lead for <@U0A1>, Tom asked for it',
    'support-lead for <@U0A1> for 2h — actually make it 4h',
    'support-lead for <@U0A1>, workspace-admin would be better',
  ])
    it(text, () => {
      expect(parse(text).every((i) => i.kind === 'none')).toBe(true);
    });
});

describe('lexicon: one list of role nouns for every reader', () => {
  it('an extension reads "perms" like "permissions"', () => {
    expect(parse('extend my support-lead perms by 1 hour')).toEqual([
      grant([{ kind: 'me' }], 'support-lead', { durationMs: HOUR, extend: true }),
    ]);
  });

  it('a question reads "permissions" like "access"', () => {
    expect(parse('does <@U0A1> have billing-admin permissions?')).toEqual([
      { kind: 'get_roles', target: U('U0A1') },
    ]);
  });
});

describe('a range of time: the shorter reading wins', () => {
  for (const [text, ms] of [
    ['give me support-lead for 2-3 hours', 2 * HOUR],
    ['make me a support-agent for an hour or two', HOUR],
    ['give me billing-admin for 30-60 min', 30 * 60_000],
  ] as const)
    it(text, () => {
      expect(parse(text)).toEqual([
        grant([{ kind: 'me' }], text.split(' ').find((w) => ROLES.includes(w)) ?? '', { durationMs: ms }),
      ]);
    });

  it('a range written backwards is not understood', () => {
    expect(parse('give me support-lead for 3-2 hours')).toEqual([{ kind: 'none', reason: 'unclear' }]);
  });
});
