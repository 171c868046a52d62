import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCard } from '../../src/app/messages.ts';
import { ERROR_CODES, isErrorCode, retryCanHelp } from '../../src/core/errors.ts';
import { sourceFiles } from '../architecture/imports.ts';

const SRC = resolve(import.meta.dirname, '../../src');

/** Issue 15 item 5: one closed set of fault codes, and every one of them has words. */
describe('ErrorCode is one closed set', () => {
  it('every code-shaped literal in src/ (AREA.NAME) is in ERROR_CODES', () => {
    const outside: string[] = [];
    for (const file of sourceFiles(SRC))
      for (const m of readFileSync(file, 'utf8').matchAll(/['"`]([A-Z]+\.[A-Z][A-Z_]*)['"`]/g))
        if (!isErrorCode(m[1])) outside.push(`${relative(SRC, file)}: ${m[1]}`);
    expect(outside).toEqual([]);
  });

  it('only INTERNAL reads "Something went wrong"; the rest say what is known', () => {
    for (const code of ERROR_CODES) {
      const { text } = errorCard(code, 'RC-1');
      if (code === 'INTERNAL') expect(text).toMatch(/^Something went wrong/);
      else expect(text, code).not.toMatch(/something went wrong/i);
    }
  });

  it('a policy refusal and an inactive target are not offered a Try again; an outage is', () => {
    expect(retryCanHelp('POLICY.DENIED')).toBe(false);
    expect(retryCanHelp('SCIM.INACTIVE_USER')).toBe(false);
    expect(retryCanHelp('SCIM.UNAVAILABLE')).toBe(true);
    expect(retryCanHelp('RECOVERY.NOT_APPLIED')).toBe(true);
  });

  it('codes read back from storage outside the set are not trusted', () => {
    expect(isErrorCode('POLICY.DENIED')).toBe(true);
    expect(isErrorCode('X')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });
});
