import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, parseInstant, toCsv, toJsonLines, toTable } from '../../src/app/audit-export.ts';
import type { AuditRecord } from '../../src/core/audit.ts';

/** A small, independent RFC 4180 reader: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  expect(cell, 'output ends with CRLF').toBe('');
  return rows;
}

const base = {
  seq: 1,
  prevHash: '0'.repeat(64),
  hash: 'a'.repeat(64),
  tenantId: 'T1',
  at: '2025-01-01T00:00:00.000Z',
};
const records = [
  {
    ...base,
    kind: 'applied',
    noop: false,
    requestId: 'r1',
    requester: { slackUserId: 'U1', email: 'ann@example.com', scimId: 'scim-1', displayName: 'Ann' },
    target: { slackUserId: 'U2', email: 'bob@example.com' },
    actor: { displayName: 'Rolecall' },
    role: 'admin',
    action: 'grant',
    rolesBefore: ['viewer'],
    rolesAfter: ['viewer', 'admin'],
    justification: 'line one\nline "two", with comma',
    durationMs: 3600000,
    decision: { kind: 'allow', ruleId: 'rule-1', capped: false },
  },
  {
    ...base,
    seq: 2,
    kind: 'denied',
    note: '=HYPERLINK("http://evil","x")',
    justification: '+1 please',
    outcome: '-cmd',
    errorCode: '@SUM(A1)',
    role: '\tadmin',
    decision: { kind: 'deny', reason: 'no_matching_rule' },
  },
] as AuditRecord[];

describe('audit export', () => {
  it('writes RFC 4180 CSV with identities flattened and lists joined', () => {
    const rows = parseCsv(toCsv(records));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const first = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[1]?.[i]]));
    expect(first).toMatchObject({
      seq: '1',
      kind: 'applied',
      requester_slack: 'U1',
      requester_email: 'ann@example.com',
      requester_scim: 'scim-1',
      requester_name: 'Ann',
      target_slack: 'U2',
      target_email: 'bob@example.com',
      target_scim: '',
      actor_name: 'Rolecall',
      roles_before: 'viewer',
      roles_after: 'viewer;admin',
      justification: 'line one\nline "two", with comma',
      rule_id: 'rule-1',
      decision: 'allow',
      noop: 'false',
      duration_ms: '3600000',
    });
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    const rows = parseCsv(toCsv(records));
    const second = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[2]?.[i]]));
    expect(second.note).toBe(`'=HYPERLINK("http://evil","x")`);
    expect(second.justification).toBe(`'+1 please`);
    expect(second.outcome).toBe(`'-cmd`);
    expect(second.error_code).toBe(`'@SUM(A1)`);
    expect(second.role).toBe(`'\tadmin`);
    expect(second.deny_reason).toBe('no_matching_rule');
    for (const row of rows.slice(1)) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t]/);
  });

  it('writes one parseable JSON record per line, hashes included', () => {
    const lines = toJsonLines(records).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toEqual(records);
    expect(toJsonLines([])).toBe('');
  });

  it('lays out a table that keeps one record per line', () => {
    const lines = toTable(records).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^SEQ\s+AT\s+KIND/);
    expect(lines[1]).toContain('ann@example.com');
    expect(lines[1]).toContain('bob@example.com');
  });
});

describe('parseInstant', () => {
  const now = new Date('2025-06-15T12:00:00.000Z');
  const ok = (text: string) => {
    const r = parseInstant(text, now);
    return r.ok ? r.iso : `error: ${r.message}`;
  };

  it('reads spans back from now', () => {
    expect(ok('7d')).toBe('2025-06-08T12:00:00.000Z');
    expect(ok('12h')).toBe('2025-06-15T00:00:00.000Z');
    expect(ok('30m')).toBe('2025-06-15T11:30:00.000Z');
    expect(ok('2w')).toBe('2025-06-01T12:00:00.000Z');
  });

  it('reads dates and ISO instants with an offset', () => {
    expect(ok('2025-01-31')).toBe('2025-01-31T00:00:00.000Z');
    expect(ok('2025-01-31T09:00:00+01:00')).toBe('2025-01-31T08:00:00.000Z');
    expect(ok('2025-01-31T09:00Z')).toBe('2025-01-31T09:00:00.000Z');
  });

  it('refuses what it would have to guess', () => {
    for (const bad of ['2025-01-31T09:00:00', '2025-02-30', '2025-13-01', '7', 'd7', '7y', '', 'yesterday']) {
      expect(parseInstant(bad, now).ok, bad).toBe(false);
    }
  });
});
