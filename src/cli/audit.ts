import { writeFileSync } from 'node:fs';
import { type Command, CommanderError, InvalidArgumentError } from 'commander';
import { createLogger } from '../adapters/log/logger.ts';
import { existingSources, readCheckpoints } from '../adapters/store/audit-checkpoint.ts';
import { NO_AUDIT_KEYS } from '../adapters/store/audit-keys.ts';
import { openStores, type StoreEnv, type StoreSet } from '../adapters/store/open.ts';
import { parseInstant, toCsv, toJsonLines, toTable } from '../app/audit-export.ts';
import { AuditEvent, type AuditKind } from '../core/audit.ts';
import type { AuditQuery, AuditVerification } from '../ports/audit-log.ts';
import { type Clock, systemClock } from '../ports/clock.ts';

const KINDS: readonly AuditKind[] = AuditEvent.options.map((o) => o.shape.kind.value);
const FORMATS = ['jsonl', 'csv', 'table'] as const;
type Format = (typeof FORMATS)[number];
/** "All of them" without handing a store a limit it may not encode (int32 on the wire). */
const ALL = 2 ** 31 - 1;

export interface AuditCliDeps {
  env: StoreEnv;
  clock: Clock;
}

interface ExportOptions {
  since?: string;
  until?: string;
  tenant?: string;
  user?: string;
  kind?: AuditKind[];
  format: Format;
  out?: string;
  limit?: number;
}

function kinds(value: string): AuditKind[] {
  const list = value
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const unknown = list.filter((k) => !KINDS.includes(k as AuditKind));
  if (unknown.length || !list.length) {
    throw new InvalidArgumentError(
      `unknown kind ${unknown.join(', ') || '(none)'}; known: ${KINDS.join(', ')}`,
    );
  }
  return list as AuditKind[];
}

function format(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`use one of ${FORMATS.join(', ')}`);
  }
  return value as Format;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
}

/** Adds `rolecall audit` (query/export) and `rolecall audit verify` (check the hash chain). */
export function registerAuditCommands(
  program: Command,
  deps: AuditCliDeps = { env: process.env, clock: systemClock },
): void {
  const instant = (value: string) => {
    const parsed = parseInstant(value, deps.clock.now());
    if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
    return parsed.iso;
  };
  const audit = program
    .command('audit')
    .description('export the audit log (oldest first), filtered')
    .option('--since <when>', 'from this time on: 7d, 12h, 30m, 2w, a date or an ISO instant', instant)
    .option('--until <when>', 'before this time (same forms as --since)', instant)
    .option('--tenant <id>', 'only this tenant (Slack team or enterprise id)')
    .option('--user <id>', 'requester, target or actor by Slack user id, email or SCIM id')
    .option('--kind <kinds>', 'comma-separated event kinds, e.g. applied,revoked', kinds)
    .option('--format <format>', 'jsonl, csv or table', format, 'table' as Format)
    .option('--out <file>', 'write to this new file instead of standard output')
    .option('--limit <n>', 'at most this many records (default: all)', positiveInt)
    .action(async (opts: ExportOptions) => {
      const query: AuditQuery = {
        since: opts.since,
        until: opts.until,
        tenantId: opts.tenant,
        user: opts.user,
        kinds: opts.kind,
        limit: opts.limit ?? ALL,
      };
      const records = await withStores(deps, (stores) => stores.audit.query(query));
      const text =
        opts.format === 'jsonl'
          ? toJsonLines(records)
          : opts.format === 'csv'
            ? toCsv(records)
            : toTable(records);
      if (opts.out) {
        // Never overwrite: an export may land next to an earlier one someone still needs.
        // 0600: the export holds people's emails and ids.
        try {
          writeFileSync(opts.out, text, { flag: 'wx', mode: 0o600 });
        } catch (err) {
          const code = (err as { code?: string }).code;
          const message = `cannot write ${opts.out}: ${code === 'EEXIST' ? 'it already exists' : (err as Error).message}`;
          process.stderr.write(`rolecall: ${message}\n`);
          throw new CommanderError(1, 'rolecall.audit.out', message);
        }
        process.stderr.write(`wrote ${records.length} audit records to ${opts.out}\n`);
      } else {
        process.stdout.write(text);
      }
    });

  audit
    .command('verify')
    .description(
      'recompute the audit chain (keys from ROLECALL_AUDIT_KEYS) and check it against the checkpoints; exit 1 at the first broken record',
    )
    .option(
      '--checkpoints <files...>',
      'more checkpoint sources: checkpoint files or log exports (JSON lines); the configured checkpoint file is always read',
    )
    .option(
      '--allow-no-checkpoint',
      'accept a keyed chain with no checkpoint at all (a dropped tail then goes unnoticed)',
    )
    .action(async (opts: { checkpoints?: string[]; allowNoCheckpoint?: boolean }) => {
      const text = await withStores(deps, async (stores) =>
        verifyText(stores, opts.checkpoints ?? [], opts.allowNoCheckpoint === true),
      );
      process.stdout.write(text.out);
      if (text.broken) throw new CommanderError(1, 'rolecall.audit.broken', text.broken);
    });
}

const REASONS: Record<NonNullable<AuditVerification['reason']>, string> = {
  chain: 'its hash or link does not match',
  unknown_key: 'sealed with an unknown key',
  unkeyed_after_keyed: 'an unkeyed record after keyed ones',
  checkpoint_mismatch: 'a checkpoint pins a different hash for it',
  truncated: 'truncated',
};

async function verifyText(
  stores: StoreSet,
  extra: string[],
  allowNoCheckpoint: boolean,
): Promise<{ out: string; broken?: string }> {
  const keys = stores.auditKeys ?? NO_AUDIT_KEYS;
  const sources = [...existingSources([stores.checkpointFile]), ...extra];
  const reading = readCheckpoints(sources, keys);
  const result = await stores.audit.verify({ checkpoints: reading.checkpoints });
  const lines: string[] = [];
  const facts = () => {
    if (result.keyIds?.length) lines.push(`keyed records sealed with: ${result.keyIds.join(', ')}`);
    if (result.legacy) lines.push(`${result.legacy} unkeyed (legacy) records at the start of the chain`);
    if (result.checkpoint)
      lines.push(
        `latest checkpoint: seq ${result.checkpoint.seq} at ${result.checkpoint.at} (${sources.join(', ')})`,
      );
    else if (keys.signing && result.count > 0 && !allowNoCheckpoint)
      // Keyed appends always leave checkpoints: none at all is itself a sign of tampering (a dropped
      // tail, or the whole chain rewritten as unkeyed records, which needs no key).
      lines.push(
        'broken: no checkpoint found for a keyed chain, so neither a dropped tail nor a chain rewritten without the key can be ruled out: pass --checkpoints FILE (the checkpoint file or a log export), or --allow-no-checkpoint',
      );
    else lines.push('warning: no checkpoint found, so a dropped tail cannot be detected');
    if (reading.skipped) lines.push(`(${reading.skipped} lines in the sources were not checkpoints)`);
  };
  // Both are reported: a wrong key shows up as rejected checkpoints and as a broken chain at once.
  const rejected = reading.rejected.map(
    (r) => `broken: checkpoint at ${r.source}:${r.line} rejected: ${r.why}`,
  );
  if (result.ok) lines.push(`ok: ${result.count} audit records, chain intact`);
  else
    lines.push(
      result.reason === 'truncated'
        ? `broken: truncated: the latest checkpoint (seq ${result.checkpoint?.seq} at ${result.checkpoint?.at}) is past the last record (seq ${(result.brokenAt ?? 1) - 1})`
        : `broken: the chain breaks at seq ${result.brokenAt}: ${REASONS[result.reason ?? 'chain']}${result.detail ? ` ${result.detail}` : ''} (${result.count} records checked)`,
    );
  lines.push(...rejected);
  facts();
  const broken = lines.find((l) => l.startsWith('broken: '));
  return { out: `${lines.join('\n')}\n`, ...(broken ? { broken } : {}) };
}

async function withStores<T>(deps: AuditCliDeps, fn: (stores: StoreSet) => Promise<T>): Promise<T> {
  // Logs go to stderr so stdout stays the export itself.
  const logger = createLogger({ level: 'warn', destination: process.stderr });
  const stores = await openStores({ env: deps.env, logger, clock: deps.clock });
  try {
    return await fn(stores);
  } finally {
    await stores.close();
  }
}
