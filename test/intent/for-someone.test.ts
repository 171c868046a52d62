import { describe, expect, it } from 'vitest';
import { parseOffline } from '../../src/adapters/intent/offline-parser.ts';
import type { Intent } from '../../src/core/intent.ts';

/**
 * Safety found by the second blind holdout (eval/holdout-2.jsonl, first run: 3 unsafe): the person a
 * role is "for" was read as a reason, and the grant went to the requester. Whatever the parser
 * understands of these, it must never grant the role to "me". (Own wording, not the holdout's.)
 */
const ROLES = ['viewer', 'editor', 'admin', 'owner'];
const now = new Date('2025-03-12T15:00:00Z');
const parse = (text: string): Intent[] => parseOffline({ text, roles: ROLES, timeZone: 'UTC', now });
const grantsToMe = (intents: Intent[]) =>
  intents.some(
    (i) => i.kind === 'request_role_change' && i.action === 'grant' && i.targets.some((t) => t.kind === 'me'),
  );

describe('"for <someone>" is never a reason for a grant to me', () => {
  for (const text of [
    'I would like to request the editor role for Priyanka Rao for two days. She joins the docs team.',
    'requesting viewer for our contractor <mailto:sam@vendor.example|sam@vendor.example> for 4 hours',
    'I need admin for <@U0OTHER1> please',
    'we want editor for @lena for the launch',
    'I would like to request owner for Tomasz',
  ])
    it(text, () => {
      expect(grantsToMe(parse(text))).toBe(false);
    });

  it('a reason after "for" that names no one still reads as a reason', () => {
    const [intent] = parse('I need editor for the quarterly audit');
    expect(intent).toMatchObject({ kind: 'request_role_change', targets: [{ kind: 'me' }], role: 'editor' });
  });

  it('"sysadmin" names a different job, not the catalogue\'s admin', () => {
    expect(parse('make me a sysadmin')).toEqual([{ kind: 'none', reason: 'unknown_role' }]);
  });
});
