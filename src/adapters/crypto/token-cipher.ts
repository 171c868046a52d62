import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { RolecallError } from '../../core/errors.ts';

/**
 * Seals Slack tokens before they reach the store: AES-256-GCM (node:crypto), a fresh 96-bit IV per
 * seal, and the installation id as additional authenticated data, so a sealed value copied onto
 * another installation's row does not open.
 *
 * ROLECALL_ENCRYPTION_KEY holds one or more keys, comma-separated, each `id:base64` (32 random
 * bytes, e.g. `k1:$(openssl rand -base64 32)`). The first key seals; every listed key opens. To
 * rotate: put the new key first, keep the old one after it, run `rolecall installs rekey`, then drop
 * the old key. Sealed format: `rc1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url).
 */
export interface TokenCipher {
  /** The id of the key that seals. */
  readonly currentKeyId: string;
  seal(plaintext: string, boundTo: string): string;
  /** Throws CONFIG.INVALID when the key is missing, STORE.CORRUPT when the value does not open. */
  open(sealed: string, boundTo: string): string;
  /** The key id a sealed value was made with. */
  keyIdOf(sealed: string): string | undefined;
}

const PREFIX = 'rc1';
const ID = /^[A-Za-z0-9_-]{1,32}$/;
const AAD = (boundTo: string) => Buffer.from(`rolecall-installation:${boundTo}`, 'utf8');

function fail(message: string): never {
  throw new RolecallError('CONFIG.INVALID', `ROLECALL_ENCRYPTION_KEY: ${message}`, {
    details: { key: 'ROLECALL_ENCRYPTION_KEY' },
  });
}

/** Parses the key list; the message never contains key material. */
export function parseKeys(raw: string | undefined): Map<string, Buffer> {
  const value = raw?.trim();
  if (!value) fail('not set; it is required to keep installation tokens encrypted (see README)');
  const keys = new Map<string, Buffer>();
  for (const [i, part] of value.split(',').entries()) {
    const entry = part.trim();
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const b64 = colon > 0 ? entry.slice(colon + 1) : entry;
    if (!ID.test(id)) fail(`entry ${i + 1} needs the form id:base64 (id of letters, digits, _ or -)`);
    if (keys.has(id)) fail(`key id ${id} is listed twice`);
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== b64.replace(/=+$/, ''))
      fail(`key ${id} must be 32 bytes, base64-encoded (openssl rand -base64 32)`);
    keys.set(id, key);
  }
  return keys;
}

export function createTokenCipher(raw: string | undefined): TokenCipher {
  const keys = parseKeys(raw);
  const [currentKeyId, current] = [...keys.entries()][0]!;
  const corrupt = (why: string) =>
    new RolecallError('STORE.CORRUPT', `a sealed installation token does not open: ${why}`);
  return {
    currentKeyId,
    seal(plaintext, boundTo) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', current, iv);
      c.setAAD(AAD(boundTo));
      const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
      return [PREFIX, currentKeyId, iv, c.getAuthTag(), ct]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join(':');
    },
    open(sealed, boundTo) {
      const parts = sealed.split(':');
      if (parts.length !== 5 || parts[0] !== PREFIX) throw corrupt('unknown format');
      const [, keyId, iv, tag, ct] = parts as [string, string, string, string, string];
      const key = keys.get(keyId);
      if (!key)
        fail(`sealed with key ${keyId}, which is not listed; add it back (after the current key) to open it`);
      try {
        const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        d.setAAD(AAD(boundTo));
        d.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
      } catch {
        throw corrupt(`authentication failed (wrong key ${keyId} or tampered value)`);
      }
    },
    keyIdOf(sealed) {
      const parts = sealed.split(':');
      return parts.length === 5 && parts[0] === PREFIX ? parts[1] : undefined;
    },
  };
}
