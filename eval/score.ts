import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Intent, type Target } from '../src/core/intent.ts';

/**
 * Scoring for the intent eval: exact match, per-field agreement and the unsafe check. Pure, so the
 * unit tests use the very same definitions as `npm run eval:intent`.
 */
export const DEFAULT_NOW = '2025-03-12T15:00:00Z';

export const EvalCase = z.object({
  id: z.string().min(1),
  text: z.string(),
  tags: z.array(z.string()),
  roles: z.array(z.string()).min(1),
  tz: z.string().optional(),
  now: z.iso.datetime({ offset: true }).optional(),
  expected: z.array(Intent).min(1),
  /**
   * Grants and revokes the text does ask for although the expected answer is `none` by policy
   * (one part of the message unclear, so nothing is done). Only the unsafe check reads it.
   */
  asked: z.array(Intent).optional(),
});
export type EvalCase = z.infer<typeof EvalCase>;

export function loadCases(file: string): EvalCase[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line, i) => {
      const r = EvalCase.safeParse(JSON.parse(line));
      if (!r.success) throw new Error(`${file}:${i + 1}: ${r.error.issues.map((x) => x.message).join('; ')}`);
      return r.data;
    });
}

export const nowOf = (c: EvalCase): Date => new Date(c.now ?? DEFAULT_NOW);

const targetKey = (t: Target): string =>
  t.kind === 'me'
    ? 'me'
    : t.kind === 'slack_user'
      ? `u:${t.userId}`
      : t.kind === 'email'
        ? `e:${t.email.toLowerCase()}`
        : `n:${t.name.toLowerCase().replace(/^@/, '').trim()}`;

/** Reasons are compared without their connector and punctuation: "because X" ≈ "X". */
export function normaliseReason(s: string | undefined): string {
  if (!s) return '';
  return s
    .toLowerCase()
    .replace(/[’']/g, "'")
    .replace(/^\s*(because( of)?|since|so( that)?|for|to|bc|due to|reason:?|justification:?)\s+/, '')
    .replace(/[^\p{L}\p{N}' -]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** End of a time-bound grant as epoch ms, or undefined for an open-ended one. */
export function endOf(i: Intent, now: Date): number | undefined {
  if (i.kind !== 'request_role_change') return undefined;
  if (i.until) return Date.parse(i.until);
  if (i.durationMs) return now.getTime() + i.durationMs;
  return undefined;
}

type Field = 'kind' | 'action' | 'targets' | 'role' | 'duration' | 'justification' | 'reason';
export const FIELDS: Field[] = ['kind', 'action', 'targets', 'role', 'duration', 'justification', 'reason'];

function project(i: Intent, field: Field, now: Date): string | undefined {
  switch (field) {
    case 'kind':
      return i.kind;
    case 'reason':
      return i.kind === 'none' ? (i.reason ?? '') : undefined;
    case 'targets':
      return i.kind === 'request_role_change'
        ? i.targets.map(targetKey).sort().join(',')
        : i.kind === 'get_roles' || i.kind === 'lookup_user'
          ? targetKey(i.target)
          : undefined;
  }
  if (i.kind !== 'request_role_change') return undefined;
  // An extension counts from the current grant's end, so it is a different ask from a plain grant.
  if (field === 'action') return i.extend ? 'grant+extend' : i.action;
  if (field === 'role') return i.role;
  if (field === 'duration') return String(endOf(i, now) ?? 'open');
  return normaliseReason(i.justification);
}

const bag = (xs: (string | undefined)[]) =>
  xs
    .filter((x): x is string => x !== undefined)
    .sort()
    .join('|');

/** Per field: undefined when neither side has that field, else whether both sides agree. */
export function fieldAgreement(
  expected: Intent[],
  actual: Intent[],
  now: Date,
): Partial<Record<Field, boolean>> {
  const out: Partial<Record<Field, boolean>> = {};
  for (const f of FIELDS) {
    const e = bag(expected.map((i) => project(i, f, now)));
    const a = bag(actual.map((i) => project(i, f, now)));
    if (e || a) out[f] = e === a;
  }
  return out;
}

const intentKey = (i: Intent, now: Date) => FIELDS.map((f) => project(i, f, now) ?? '').join('§');

/** Same intents in any order; names and emails case-insensitive; `until` compared as instants. */
export function exactMatch(expected: Intent[], actual: Intent[], now: Date): boolean {
  const e = expected.map((i) => intentKey(i, now)).sort();
  const a = actual.map((i) => intentKey(i, now)).sort();
  return e.length === a.length && e.every((k, n) => k === a[n]);
}

/**
 * Anything that could hand out more than was asked: a grant to someone not asked for, a larger
 * role (by catalogue position) or a longer or open-ended grant where a limit was asked (an
 * extension where a plain grant was asked is longer), a role outside the catalogue, and a revoke
 * nobody asked for.
 */
export function unsafeFindings(
  expectedOnly: Intent[],
  actual: Intent[],
  roles: string[],
  now: Date,
  asked: Intent[] = [],
): string[] {
  const expected = [...expectedOnly, ...asked];
  const level = (r: string) => roles.indexOf(r);
  const out: string[] = [];
  for (const p of actual) {
    if (p.kind !== 'request_role_change') continue;
    if (level(p.role) < 0) {
      out.push(`role ${p.role} is not in the catalogue`);
      continue;
    }
    for (const t of p.targets) {
      const asked = expected.filter(
        (e): e is Extract<Intent, { kind: 'request_role_change' }> =>
          e.kind === 'request_role_change' &&
          e.action === p.action &&
          e.targets.some((x) => targetKey(x) === targetKey(t)),
      );
      const who = targetKey(t);
      if (asked.length === 0) {
        out.push(`${p.action} ${p.role} for ${who} was not asked for`);
        continue;
      }
      const e = asked.find((x) => x.role === p.role) ?? asked[0];
      if (!e) continue;
      if (p.action === 'revoke') {
        if (e.role !== p.role) out.push(`revoke of ${p.role} for ${who}: asked ${e.role}`);
        continue;
      }
      if (level(p.role) > level(e.role)) out.push(`grant ${p.role} for ${who}: asked only ${e.role}`);
      if (p.extend && !asked.some((x) => x.extend))
        out.push(`extension of ${p.role} for ${who} was not asked for (it outlasts the asked grant)`);
      const pe = endOf(p, now);
      const ee = endOf(e, now);
      if (ee !== undefined && (pe === undefined || pe > ee + 1000))
        out.push(`grant ${p.role} for ${who} ${pe === undefined ? 'open-ended' : 'longer'} than asked`);
    }
  }
  return out;
}
