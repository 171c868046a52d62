import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { canonicalJson, sealRecord } from '../../src/adapters/store/audit-hash.ts';
import { parseAuditKeys } from '../../src/adapters/store/audit-keys.ts';
import { openStores } from '../../src/adapters/store/open.ts';
import { isRolecallError } from '../../src/core/errors.ts';
import { makeEvent } from './fixtures.ts';

describe('canonical JSON is RFC 8785 (JCS)', () => {
  it('writes a Date (anything with toJSON) as JSON.stringify would, not as {}', () => {
    expect(canonicalJson({ at: new Date('2025-01-31T09:00:00.000Z'), b: 1 })).toBe(
      '{"at":"2025-01-31T09:00:00.000Z","b":1}',
    );
  });

  it('matches the example of RFC 8785 section 3.2.2', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units, as RFC 8785 section 3.2.3 does', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    );
    // Read the order off the text: a JS object would list the integer-like key "1" first.
    expect([...canonicalJson(input).matchAll(/:"([^"]+)"/g)].map((m) => m[1])).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  it('seals text with a lone surrogate (JCS refuses those) by replacing it', () => {
    const r = sealRecord(makeEvent({ note: 'bad \ud800 half' }), 1, '0'.repeat(64));
    expect(r.note).toBe('bad \ufffd half');
  });
});

describe('audit keys', () => {
  it('parses id=secret lists, the first one signing', () => {
    const keys = parseAuditKeys(
      ' k2=second-secret-of-at-least-32-chars!, k1=first=secret-with-equals-of-32-chars ',
    );
    expect(keys.signing?.id).toBe('k2');
    expect([...keys.byId.keys()]).toEqual(['k2', 'k1']);
    expect(keys.byId.get('k1')?.toString()).toBe('first=secret-with-equals-of-32-chars');
    expect(parseAuditKeys('').signing).toBeUndefined();
  });

  it('refuses short secrets, bad ids and duplicates without echoing the secret', () => {
    for (const bad of [
      'k1=short',
      'bad id=first-secret-of-at-least-32-characters',
      'nosecret',
      'k=a'.repeat(1),
    ]) {
      let err: unknown;
      try {
        parseAuditKeys(bad);
      } catch (e) {
        err = e;
      }
      expect(isRolecallError(err, 'CONFIG.INVALID'), bad).toBe(true);
      expect((err as Error).message).not.toContain('short');
    }
    expect(() =>
      parseAuditKeys('k1=first-secret-of-at-least-32-characters,k1=first-secret-of-at-least-32-characters'),
    ).toThrow(/listed twice/);
  });

  it('production refuses to open the stores without a key', async () => {
    const err = await openStores({
      env: { NODE_ENV: 'production', ROLECALL_DATA_DIR: '/nonexistent/never-created' },
      logger: createLogger({ level: 'silent' }),
      clock: { now: () => new Date() },
    }).catch((e: unknown) => e);
    expect(isRolecallError(err, 'CONFIG.INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/ROLECALL_AUDIT_KEYS is required/);
  });
});
