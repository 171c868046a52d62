import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';
import { AuditEvent, type AuditRecord } from '../../core/audit.ts';
import type { AuditCheckpoint, AuditVerification } from '../../ports/audit-log.ts';
import type { AuditKey, AuditKeyring } from './audit-keys.ts';

/** prevHash of the first record: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * RFC 8785 (JCS) canonical JSON, through `canonicalize` (by an author of the RFC): keys sorted by
 * UTF-16 code units, ECMAScript number and string forms, `undefined` members dropped and `toJSON`
 * honoured (a Date becomes its ISO string), so an outside verifier gets the same bytes from any
 * JCS library. Lone surrogates are refused by JCS; `wellFormed` replaces them before sealing.
 */
export function canonicalJson(value: unknown): string {
  return canonicalize(value) ?? 'null';
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function hmacHex(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/** Every string with lone surrogates replaced by U+FFFD: JCS (and UTF-8) cannot carry them. */
function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toWellFormed(), wellFormed(v)]));
  return value;
}

/**
 * The hash of a record over JCS(record without `hash`): HMAC-SHA256 with the key named by its
 * `keyId`, or plain SHA-256 for an unkeyed (legacy) record. Undefined when the key is not known.
 */
export function hashRecord(record: Record<string, unknown>, keys?: AuditKeyring): string | undefined {
  const { hash: _omit, ...rest } = record;
  const text = canonicalJson(rest);
  if (rest.keyId === undefined) return sha256Hex(text);
  const key = typeof rest.keyId === 'string' ? keys?.byId.get(rest.keyId) : undefined;
  return key ? hmacHex(key, text) : undefined;
}

/**
 * Links an already validated `event` after `prevHash` as record number `seq`, keyed when `key` is
 * given. The returned record is plain JSON data (no undefined members), exactly what stores persist.
 */
export function sealRecord(event: AuditEvent, seq: number, prevHash: string, key?: AuditKey): AuditRecord {
  const body = JSON.parse(canonicalJson(wellFormed(event))) as AuditEvent;
  const unsealed: Record<string, unknown> = { ...body, seq, prevHash, ...(key ? { keyId: key.id } : {}) };
  const text = canonicalJson(unsealed);
  const hash = key ? hmacHex(key.secret, text) : sha256Hex(text);
  return { ...unsealed, hash } as AuditRecord;
}

/** What a checkpoint's MAC covers: everything but `mac`, in JCS. */
export function checkpointMac(cp: Omit<AuditCheckpoint, 'mac'>, key: Buffer): string {
  const { mac: _m, ...rest } = cp as AuditCheckpoint;
  return hmacHex(key, canonicalJson(rest));
}

export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

type Reason = NonNullable<AuditVerification['reason']>;

/**
 * Walks a chain in seq order and remembers the first record that does not follow from the one
 * before it: a gap in seq, a prevHash that is not the previous hash, a hash that does not match the
 * content under its key, an unkeyed record after a keyed one, or a record some checkpoint pins to
 * another hash. At the end, a checkpoint beyond the last record means the tail was dropped.
 * `extraOk` lets a store add its own consistency check (index columns, user keys).
 */
export class ChainVerifier {
  readonly #keys: AuditKeyring;
  readonly #pins = new Map<number, Set<string>>();
  readonly #latest: AuditCheckpoint | undefined;
  #expectedSeq = 1;
  #prevHash = GENESIS_HASH;
  #count = 0;
  #legacy = 0;
  #keyed = false;
  #keyIds = new Set<string>();
  #brokenAt: number | undefined;
  #reason: Reason | undefined;
  #detail: string | undefined;

  constructor(keys?: AuditKeyring, checkpoints: readonly AuditCheckpoint[] = []) {
    this.#keys = keys ?? { signing: undefined, byId: new Map() };
    for (const cp of checkpoints) {
      const set = this.#pins.get(cp.seq) ?? new Set();
      set.add(cp.hash);
      this.#pins.set(cp.seq, set);
    }
    this.#latest = checkpoints.reduce<AuditCheckpoint | undefined>(
      (best, cp) => (best === undefined || cp.seq > best.seq ? cp : best),
      undefined,
    );
  }

  /** Feed the next stored record (as raw data, including `seq`, `prevHash`, `hash` and any `keyId`). */
  add(record: Record<string, unknown>, extraOk = true): void {
    this.#count += 1;
    if (this.#brokenAt !== undefined) return;
    const why = this.#check(record, extraOk);
    if (why) {
      // Reported as the seq that should have come next: for a deleted record that is the gap.
      this.#brokenAt = this.#expectedSeq;
      this.#reason = why;
      if (why === 'unknown_key' && typeof record.keyId === 'string') this.#detail = record.keyId;
      return;
    }
    if (typeof record.keyId === 'string') {
      this.#keyed = true;
      this.#keyIds.add(record.keyId);
    } else this.#legacy += 1;
    this.#expectedSeq = (record.seq as number) + 1;
    this.#prevHash = record.hash as string;
  }

  #check(record: Record<string, unknown>, extraOk: boolean): Reason | undefined {
    const seq = typeof record.seq === 'number' ? record.seq : Number.NaN;
    let expected: string | undefined;
    try {
      expected = hashRecord(record, this.#keys);
    } catch {
      return 'chain'; // not canonicalisable (e.g. a lone surrogate written behind our back)
    }
    if (record.keyId === undefined && this.#keyed) return 'unkeyed_after_keyed';
    if (record.keyId !== undefined && expected === undefined) return 'unknown_key';
    const ok =
      extraOk &&
      seq === this.#expectedSeq &&
      record.prevHash === this.#prevHash &&
      typeof record.hash === 'string' &&
      expected !== undefined &&
      sameHex(record.hash, expected) &&
      AuditEvent.safeParse(withoutChainFields(record)).success;
    if (!ok) return 'chain';
    const pins = this.#pins.get(seq);
    if (pins && [...pins].some((h) => h !== record.hash)) return 'checkpoint_mismatch';
    return undefined;
  }

  #break(reason: Reason): void {
    this.#brokenAt = this.#expectedSeq;
    this.#reason = reason;
  }

  result(): AuditVerification {
    const head = this.#expectedSeq - 1;
    if (this.#brokenAt === undefined && this.#latest && this.#latest.seq > head) this.#break('truncated');
    const facts = {
      count: this.#count,
      legacy: this.#legacy,
      keyIds: [...this.#keyIds].sort(),
      ...(head > 0 ? { head: { seq: head, hash: this.#prevHash } } : {}),
      ...(this.#latest ? { checkpoint: { seq: this.#latest.seq, at: this.#latest.at } } : {}),
    };
    return this.#brokenAt === undefined
      ? { ok: true, ...facts }
      : {
          ok: false,
          ...facts,
          brokenAt: this.#brokenAt,
          reason: this.#reason ?? 'chain',
          ...(this.#detail ? { detail: this.#detail } : {}),
        };
  }
}

export function withoutChainFields(record: Record<string, unknown>): Record<string, unknown> {
  const { seq: _s, prevHash: _p, hash: _h, keyId: _k, ...event } = record;
  return event;
}
