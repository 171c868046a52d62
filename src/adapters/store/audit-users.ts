import type { AuditEvent } from '../../core/audit.ts';
import type { Identity } from '../../core/identity.ts';

/**
 * The keys an audit record is found by when someone asks "everything about this person": the
 * Slack user id, email and SCIM id of requester, target and actor. Emails match case-insensitively
 * (stored lower-cased); Slack and SCIM ids are exact.
 */
export function auditUserKeys(event: AuditEvent): string[] {
  const keys = new Set<string>();
  for (const who of [event.requester, event.target, event.actor]) addIdentity(keys, who);
  return [...keys].sort();
}

function addIdentity(keys: Set<string>, who: Identity | undefined): void {
  if (!who) return;
  if (who.slackUserId) keys.add(who.slackUserId);
  if (who.scimId) keys.add(who.scimId);
  if (who.email) keys.add(who.email.toLowerCase());
}

/** What to look up for a user filter: the text as given, and lower-cased for emails. */
export function userQueryKeys(user: string): string[] {
  const lower = user.toLowerCase();
  return lower === user ? [user] : [user, lower];
}

export function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sortedB = [...b].sort();
  return [...a].sort().every((k, i) => k === sortedB[i]);
}
