import { createHash } from 'node:crypto';
import { AuditEvent, type AuditRecord } from '../../core/audit.ts';

/** prevHash of the first record: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every depth and `undefined` members dropped, so the same
 * record hashes the same whichever store (and whichever key order) it came back from.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    // JSON.stringify(undefined) is undefined; inside arrays JSON writes null, so do we.
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The hash of a record: sha256 over the canonical JSON of everything but `hash` itself. */
export function hashRecord(record: Record<string, unknown>): string {
  const { hash: _omit, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}

/**
 * Links an already validated `event` after `prevHash` as record number `seq`. The returned record
 * is plain JSON data (no undefined members), exactly what the stores persist.
 */
export function sealRecord(event: AuditEvent, seq: number, prevHash: string): AuditRecord {
  const body = JSON.parse(canonicalJson(event)) as AuditEvent;
  const unsealed = { ...body, seq, prevHash };
  return { ...unsealed, hash: hashRecord(unsealed) } as AuditRecord;
}

/**
 * Walks a chain in seq order and remembers the first record that does not follow from the one
 * before it: a gap in seq, a prevHash that is not the previous hash, or a hash that does not match
 * the content. `extraOk` lets a store add its own consistency check (index columns, user keys).
 */
export class ChainVerifier {
  #expectedSeq = 1;
  #prevHash = GENESIS_HASH;
  #count = 0;
  #brokenAt: number | undefined;

  /** Feed the next stored record (as raw data, including `seq`, `prevHash` and `hash`). */
  add(record: Record<string, unknown>, extraOk = true): void {
    this.#count += 1;
    if (this.#brokenAt !== undefined) return;
    const seq = typeof record.seq === 'number' ? record.seq : Number.NaN;
    const ok =
      extraOk &&
      seq === this.#expectedSeq &&
      record.prevHash === this.#prevHash &&
      typeof record.hash === 'string' &&
      record.hash === hashRecord(record) &&
      AuditEvent.safeParse(withoutChainFields(record)).success;
    if (!ok) {
      // Reported as the seq that should have come next: for a deleted record that is the gap.
      this.#brokenAt = this.#expectedSeq;
      return;
    }
    this.#expectedSeq = seq + 1;
    this.#prevHash = record.hash as string;
  }

  result(): { ok: boolean; count: number; brokenAt?: number } {
    return this.#brokenAt === undefined
      ? { ok: true, count: this.#count }
      : { ok: false, count: this.#count, brokenAt: this.#brokenAt };
  }
}

export function withoutChainFields(record: Record<string, unknown>): Record<string, unknown> {
  const { seq: _s, prevHash: _p, hash: _h, ...event } = record;
  return event;
}
