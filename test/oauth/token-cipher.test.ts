import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenCipher, parseKeys } from '../../src/adapters/crypto/token-cipher.ts';
import { isRolecallError } from '../../src/core/errors.ts';

const key = () => randomBytes(32).toString('base64');
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return isRolecallError(err) ? `${err.code}: ${err.message}` : String(err);
  }
  return 'no error';
};

describe('token cipher (AES-256-GCM, key ids)', () => {
  it('seals so that the token is not in the sealed value, and opens it again', () => {
    const c = createTokenCipher(`k1:${key()}`);
    const sealed = c.seal('xoxb-secret-token', 'T0ACME');
    expect(sealed).toMatch(/^rc1:k1:/);
    expect(sealed).not.toContain('xoxb');
    expect(c.open(sealed, 'T0ACME')).toBe('xoxb-secret-token');
    // A fresh IV each time: the same token never seals to the same value.
    expect(c.seal('xoxb-secret-token', 'T0ACME')).not.toBe(sealed);
  });

  it('does not open without the key, with another key, tampered, or moved to another installation', () => {
    const c = createTokenCipher(`k1:${key()}`);
    const sealed = c.seal('xoxb-secret-token', 'T0ACME');
    expect(code(() => createTokenCipher(`k2:${key()}`).open(sealed, 'T0ACME'))).toMatch(
      /CONFIG.INVALID: .*k1/,
    );
    expect(code(() => createTokenCipher(`k1:${key()}`).open(sealed, 'T0ACME'))).toMatch(/STORE.CORRUPT/);
    const parts = sealed.split(':');
    parts[4] = Buffer.from('xoxb-other-token!').toString('base64url');
    expect(code(() => c.open(parts.join(':'), 'T0ACME'))).toMatch(/STORE.CORRUPT/);
    expect(code(() => c.open(sealed, 'T0BETA'))).toMatch(/STORE.CORRUPT/);
  });

  it('rotates: the first key seals, every listed key opens', () => {
    const k1 = `k1:${key()}`;
    const k2 = `k2:${key()}`;
    const old = createTokenCipher(k1).seal('xoxb-a', 'T1');
    const both = createTokenCipher(`${k2},${k1}`);
    expect(both.currentKeyId).toBe('k2');
    expect(both.open(old, 'T1')).toBe('xoxb-a');
    const resealed = both.seal(both.open(old, 'T1'), 'T1');
    expect(both.keyIdOf(resealed)).toBe('k2');
    expect(createTokenCipher(k2).open(resealed, 'T1')).toBe('xoxb-a');
  });

  it('refuses missing, short, unnamed or repeated keys without echoing them', () => {
    const short = randomBytes(16).toString('base64');
    expect(code(() => parseKeys(undefined))).toMatch(/not set/);
    expect(code(() => parseKeys(`k1:${short}`))).toMatch(/32 bytes/);
    expect(code(() => parseKeys(`k1:${short}`))).not.toContain(short);
    expect(code(() => parseKeys(key()))).toMatch(/id:base64/);
    const k = key();
    expect(code(() => parseKeys(`a:${k},a:${k}`))).toMatch(/twice/);
  });
});
