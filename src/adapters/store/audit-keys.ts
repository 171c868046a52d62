import { RolecallError } from '../../core/errors.ts';

/**
 * The audit keyring, from ROLECALL_AUDIT_KEYS: `id=secret[,id=secret…]`. The first key signs new
 * records and checkpoints; every listed key verifies (rotation: put the new key first and keep the
 * old one listed for as long as records sealed with it must verify). The key bytes are the UTF-8
 * bytes of the secret text, so an outside verifier needs nothing but the text.
 */
export interface AuditKey {
  id: string;
  secret: Buffer;
}

export interface AuditKeyring {
  /** Seals new records; undefined = unkeyed (playground and tests only, see README Security). */
  signing: AuditKey | undefined;
  byId: ReadonlyMap<string, Buffer>;
}

export const NO_AUDIT_KEYS: AuditKeyring = { signing: undefined, byId: new Map() };

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;
/** 32 characters of a random secret (e.g. `openssl rand -base64 32`) are well over 128 bits. */
export const MIN_SECRET_LENGTH = 32;

function invalid(message: string): RolecallError {
  return new RolecallError('CONFIG.INVALID', `ROLECALL_AUDIT_KEYS: ${message}`);
}

/** Parses the variable; never puts a secret into an error message. */
export function parseAuditKeys(text: string | undefined): AuditKeyring {
  const entries = (text ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (!entries.length) return NO_AUDIT_KEYS;
  const byId = new Map<string, Buffer>();
  let signing: AuditKey | undefined;
  for (const [i, entry] of entries.entries()) {
    const eq = entry.indexOf('=');
    const id = eq > 0 ? entry.slice(0, eq) : '';
    const secret = eq > 0 ? entry.slice(eq + 1) : '';
    if (!KEY_ID.test(id))
      throw invalid(`entry ${i + 1} must be id=secret with an id of [A-Za-z0-9._-]{1,32}`);
    if (secret.length < MIN_SECRET_LENGTH)
      throw invalid(`the secret of key ${id} must be at least ${MIN_SECRET_LENGTH} characters`);
    if (byId.has(id)) throw invalid(`key ${id} is listed twice`);
    const bytes = Buffer.from(secret, 'utf8');
    byId.set(id, bytes);
    signing ??= { id, secret: bytes };
  }
  return { signing, byId };
}
