import { writeFileSync } from 'node:fs';
import { type Command, CommanderError, InvalidArgumentError } from 'commander';
import { createLogger } from '../adapters/log/logger.ts';
import { openStores, type StoreEnv, type StoreSet } from '../adapters/store/open.ts';
import { parseInstant, toCsv, toJsonLines, toTable } from '../app/audit-export.ts';
import { AuditEvent, type AuditKind } from '../core/audit.ts';
import type { AuditQuery } from '../ports/audit-log.ts';
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
    .description('recompute the audit hash chain; exit 1 at the first broken record')
    .action(async () => {
      const result = await withStores(deps, (stores) => stores.audit.verify());
      if (result.ok) {
        process.stdout.write(`ok: ${result.count} audit records, chain intact\n`);
        return;
      }
      const message = `broken: the chain breaks at seq ${result.brokenAt} (${result.count} records checked)`;
      process.stdout.write(`${message}\n`);
      throw new CommanderError(1, 'rolecall.audit.broken', message);
    });
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
