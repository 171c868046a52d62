import type { AuditRecord } from '../core/audit.ts';
import type { Identity } from '../core/identity.ts';

/** One JSON object per line, the records exactly as stored (hashes included, so they can be re-verified). */
export function toJsonLines(records: readonly AuditRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

type Cell = string | number | boolean | undefined;

function who(prefix: 'requester' | 'target' | 'actor'): [string, (r: AuditRecord) => Cell][] {
  const pick = (f: (i: Identity) => Cell) => (r: AuditRecord) => {
    const i = r[prefix];
    return i ? f(i) : undefined;
  };
  return [
    [`${prefix}_slack`, pick((i) => i.slackUserId)],
    [`${prefix}_email`, pick((i) => i.email)],
    [`${prefix}_scim`, pick((i) => i.scimId)],
    [`${prefix}_name`, pick((i) => i.displayName)],
  ];
}

const list = (v: readonly string[] | undefined) => v?.join(';');

/** Spreadsheet columns: identities flattened, lists joined with `;`. */
const COLUMNS: [string, (r: AuditRecord) => Cell][] = [
  ['seq', (r) => r.seq],
  ['at', (r) => r.at],
  ['kind', (r) => r.kind],
  ['tenant_id', (r) => r.tenantId],
  ['request_id', (r) => r.requestId],
  ...who('requester'),
  ...who('target'),
  ...who('actor'),
  ['action', (r) => r.action],
  ['role', (r) => r.role],
  ['roles_before', (r) => list(r.rolesBefore)],
  ['roles_after', (r) => list(r.rolesAfter)],
  ['duration_ms', (r) => r.durationMs],
  ['rule_id', (r) => r.ruleId ?? r.decision?.ruleId],
  ['decision', (r) => r.decision?.kind],
  ['deny_reason', (r) => (r.decision?.kind === 'deny' ? r.decision.reason : undefined)],
  [
    'approver_roles',
    (r) => (r.decision?.kind === 'needs_approval' ? list(r.decision.approverRoles) : undefined),
  ],
  ['justification', (r) => r.justification],
  ['outcome', (r) => r.outcome],
  ['error_code', (r) => r.errorCode],
  ['reason', (r) => (r.kind === 'rejected' ? r.reason : undefined)],
  ['noop', (r) => (r.kind === 'applied' ? r.noop : undefined)],
  ['note', (r) => r.note],
  ['prev_hash', (r) => r.prevHash],
  ['hash', (r) => r.hash],
];

export const CSV_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name);

/**
 * A spreadsheet opening the file must not run anything in it: text beginning with a formula
 * trigger gets a leading apostrophe (OWASP "CSV injection"). Tab and CR are triggers too.
 */
function defuse(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: quote when needed, double inner quotes. */
function csvCell(value: Cell): string {
  if (value === undefined) return '';
  const text = defuse(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV (CRLF line ends, header row), safe to open in a spreadsheet. */
export function toCsv(records: readonly AuditRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) lines.push(COLUMNS.map(([, get]) => csvCell(get(r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

const TABLE_COLUMNS: [string, (r: AuditRecord) => Cell][] = [
  ['SEQ', (r) => r.seq],
  ['AT', (r) => r.at],
  ['KIND', (r) => r.kind],
  ['TENANT', (r) => r.tenantId],
  ['REQUESTER', (r) => label(r.requester)],
  ['TARGET', (r) => label(r.target)],
  ['ACTION', (r) => r.action],
  ['ROLE', (r) => r.role],
  ['BY', (r) => label(r.actor)],
  ['REQUEST', (r) => r.requestId],
];

function label(i: Identity | undefined): string | undefined {
  return i?.email ?? i?.slackUserId ?? i?.displayName ?? i?.scimId;
}

/** Aligned columns for a terminal; control characters shown as spaces so rows stay rows. */
export function toTable(records: readonly AuditRecord[]): string {
  const rows = [
    TABLE_COLUMNS.map(([h]) => h),
    ...records.map((r) =>
      TABLE_COLUMNS.map(([, get]) => {
        const v = get(r);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
        return v === undefined ? '-' : String(v).replace(/[\u0000-\u001f\u007f]/g, ' ');
      }),
    ),
  ];
  const widths = TABLE_COLUMNS.map((_, c) => Math.max(...rows.map((row) => row[c]?.length ?? 0)));
  return `${rows
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export type InstantParse = { ok: true; iso: string } | { ok: false; message: string };

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * `--since`/`--until` values: a span back from now (`30m`, `12h`, `7d`, `2w`), a date
 * (`2025-01-31`, midnight UTC) or an ISO 8601 instant with its offset (`2025-01-31T09:00:00+01:00`).
 * A time without an offset is refused rather than guessed.
 */
export function parseInstant(text: string, now: Date): InstantParse {
  const t = text.trim();
  const span = /^(\d{1,6})([mhdw])$/.exec(t);
  if (span) {
    const ms = Number(span[1]) * (UNIT_MS[span[2] ?? ''] ?? 0);
    return { ok: true, iso: new Date(now.getTime() - ms).toISOString() };
  }
  if (ISO.test(t) && realCalendarDate(t)) {
    const d = new Date(t.length === 10 ? `${t}T00:00:00Z` : t);
    if (!Number.isNaN(d.getTime())) return { ok: true, iso: d.toISOString() };
  }
  return {
    ok: false,
    message: `"${text}" is not a time: use a span like 7d, 12h, 30m, 2w, a date like 2025-01-31, or an ISO instant with offset like 2025-01-31T09:00:00Z`,
  };
}

/** JavaScript rolls 2025-02-30 over to March 2; a typo should be an error instead. */
function realCalendarDate(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
