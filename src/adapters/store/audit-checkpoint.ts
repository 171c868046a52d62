import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { AuditEvent, AuditRecord } from '../../core/audit.ts';
import type {
  AuditCheckpoint,
  AuditLog,
  AuditQuery,
  AuditVerification,
  AuditVerifyOptions,
} from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../log/logger.ts';
import { checkpointMac, sameHex } from './audit-hash.ts';
import type { AuditKeyring } from './audit-keys.ts';
import type { ObservableAuditLog } from './shared.ts';

/**
 * Anchors the chain outside the store. Whoever can rewrite the database can reseal an unkeyed
 * chain, and can always drop its tail; a checkpoint (head seq and hash, MAC'd with the audit key)
 * written after every append to an append-only file and to the log stream lets `audit verify`
 * notice both, as long as those live where the store's owner cannot silently rewrite them.
 */
export const CHECKPOINT_TYPE = 'rolecall.audit.checkpoint';

export function makeCheckpoint(record: AuditRecord, at: Date, keys: AuditKeyring): AuditCheckpoint {
  const cp: AuditCheckpoint = {
    type: CHECKPOINT_TYPE,
    seq: record.seq,
    hash: record.hash,
    at: at.toISOString(),
  };
  const key = keys.signing;
  if (!key) return cp;
  const signed = { ...cp, keyId: key.id };
  return { ...signed, mac: checkpointMac(signed, key.secret) };
}

export class AnchoredAuditLog implements AuditLog {
  readonly #inner: AuditLog;
  readonly #opts: { file?: string; logger: Logger; clock: Clock; keys: AuditKeyring };

  readonly #observed: boolean;

  /**
   * An inner log that reports its durable appends (also those a request commit made in the same
   * transaction) is checkpointed from that report, once per batch at its head.
   */
  constructor(
    inner: AuditLog | ObservableAuditLog,
    opts: { file?: string; logger: Logger; clock: Clock; keys: AuditKeyring },
  ) {
    this.#inner = inner;
    this.#opts = opts;
    this.#observed = 'onAppended' in inner;
    if ('onAppended' in inner) inner.onAppended((records) => this.#checkpoint(records.at(-1)!));
  }

  async append(event: AuditEvent): Promise<AuditRecord> {
    const record = await this.#inner.append(event);
    if (!this.#observed) this.#checkpoint(record);
    return record;
  }

  #checkpoint(record: AuditRecord): void {
    const cp = makeCheckpoint(record, this.#opts.clock.now(), this.#opts.keys);
    // The record is durable already: a checkpoint that cannot be written is loud, not a failed append.
    this.#opts.logger.info({ auditCheckpoint: cp }, 'audit checkpoint');
    if (this.#opts.file) {
      try {
        appendFileSync(this.#opts.file, `${JSON.stringify(cp)}\n`, { mode: 0o600 });
      } catch (err) {
        this.#opts.logger.error({ err, file: this.#opts.file }, 'could not write the audit checkpoint');
      }
    }
  }

  query(query: AuditQuery): Promise<AuditRecord[]> {
    return this.#inner.query(query);
  }

  verify(options?: AuditVerifyOptions): Promise<AuditVerification> {
    return this.#inner.verify(options);
  }
}

export interface CheckpointReading {
  checkpoints: AuditCheckpoint[];
  /** Checkpoint-shaped lines whose MAC does not verify, or whose key is unknown: tampering. */
  rejected: { source: string; line: number; why: string }[];
  /** Lines that are neither a checkpoint nor a log line carrying one (other log lines, a torn write). */
  skipped: number;
}

function asCheckpoint(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  // A pino log line carries it under `auditCheckpoint`; the checkpoint file holds it bare.
  const cp = (v.type === CHECKPOINT_TYPE ? v : v.auditCheckpoint) as Record<string, unknown> | undefined;
  return cp && typeof cp === 'object' && cp.type === CHECKPOINT_TYPE ? cp : undefined;
}

/**
 * Reads checkpoints from files of JSON lines: the checkpoint file, or a log export. Each signed one
 * must carry a MAC that verifies under a configured key; unsigned ones (from a keyless deployment)
 * are taken as they are, since a checkpoint can only make verification stricter.
 */
export function readCheckpoints(sources: readonly string[], keys: AuditKeyring): CheckpointReading {
  const out: CheckpointReading = { checkpoints: [], rejected: [], skipped: 0 };
  for (const source of sources) {
    const lines = readFileSync(source, 'utf8').split('\n');
    for (const [i, text] of lines.entries()) {
      if (!text.trim()) continue;
      let cp: Record<string, unknown> | undefined;
      try {
        cp = asCheckpoint(JSON.parse(text));
      } catch {
        cp = undefined;
      }
      if (!cp) {
        out.skipped += 1;
        continue;
      }
      const why = checkpointProblem(cp, keys);
      if (why) out.rejected.push({ source, line: i + 1, why });
      else out.checkpoints.push(cp as unknown as AuditCheckpoint);
    }
  }
  return out;
}

function checkpointProblem(cp: Record<string, unknown>, keys: AuditKeyring): string | undefined {
  if (!Number.isInteger(cp.seq) || typeof cp.hash !== 'string' || typeof cp.at !== 'string')
    return 'malformed checkpoint';
  if (cp.mac === undefined && cp.keyId === undefined) return undefined;
  const key = typeof cp.keyId === 'string' ? keys.byId.get(cp.keyId) : undefined;
  if (!key) return `signed with unknown key ${String(cp.keyId)}`;
  const expected = checkpointMac(cp as unknown as AuditCheckpoint, key);
  return typeof cp.mac === 'string' && sameHex(cp.mac, expected) ? undefined : 'bad signature (mac)';
}

/** Sources that exist, so a fresh deployment with no checkpoint file yet is not an error. */
export function existingSources(paths: readonly (string | undefined)[]): string[] {
  return paths.filter((p): p is string => p !== undefined && existsSync(p));
}
