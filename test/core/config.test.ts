import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEnv, parsePolicy, secret } from '../../src/config.ts';
import { RolecallError } from '../../src/core/errors.ts';

const example = readFileSync('rolecall.example.yml', 'utf8');

function problems(text: string): string[] {
  try {
    parsePolicy(text, 'rolecall.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(RolecallError);
    return (err as RolecallError).message.split('\n');
  }
  return [];
}

describe('config', () => {
  it('loads the example policy with durations in milliseconds', () => {
    const p = parsePolicy(example, 'rolecall.example.yml');
    expect(p.tenants[0]?.rules[1]?.maxDuration).toBe(8 * 3_600_000);
    expect(p.timers.confirmationTtl).toBe(15 * 60_000);
  });

  it('names the file, the key path and what was expected', () => {
    const bad = example
      .replace('roleModel: groups', 'roleModel: teams')
      .replace('maxDuration: 8h', 'maxDuration: forever');
    const lines = problems(bad);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rolecall\.yml: tenants\[0\]\.scim\.roleModel: .*groups.*roles.*attribute/),
        expect.stringMatching(/^rolecall\.yml: tenants\[0\]\.rules\[1\]\.maxDuration: .*duration such as/),
      ]),
    );
  });

  it('rejects unknown roles in rules and duplicate rule ids', () => {
    const bad = example
      .replace(
        'roles: [viewer, editor], approval: none',
        'roles: [viewer, superuser], approval: none, id: same',
      )
      .replace('roles: [admin], approval', 'id: same, roles: [admin], approval');
    const lines = problems(bad);
    expect(lines).toContain('rolecall.yml: tenants[0].rules[0].roles[1]: unknown role "superuser"');
    expect(lines).toContain('rolecall.yml: tenants[0].rules[1].id: duplicate rule id "same" (also rules[0])');
  });

  it('reports YAML syntax errors with a line number', () => {
    expect(problems('tenants:\n  - id: [unclosed\n')[0]).toMatch(/^rolecall\.yml:\d+: /);
  });

  it('names the environment variable at fault, and never prints secret values', () => {
    expect(() => parseEnv({ SLACK_BOT_TOKEN: 'xapp-1-oops' })).toThrow(
      /SLACK_BOT_TOKEN: a bot token starting with xoxb-/,
    );
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => secret({}, 'ACME_SCIM_TOKEN')).toThrow(/ACME_SCIM_TOKEN is not set/);
    try {
      parseEnv({ SLACK_APP_TOKEN: 'xoxb-secret-value' });
    } catch (err) {
      expect((err as Error).message).not.toContain('secret-value');
    }
  });
});

describe('config: YAML aliases (found by the reliability fuzz)', () => {
  it('an unresolved alias or an alias bomb is CONFIG.INVALID naming the file, not a plain Error', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 12; i++) {
      const prev = String.fromCharCode(97 + i);
      const name = String.fromCharCode(98 + i);
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    for (const text of ['*!', bomb.join('\n')]) {
      let caught: unknown;
      try {
        parsePolicy(text, 'rolecall.yml');
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(RolecallError);
      expect((caught as RolecallError).code).toBe('CONFIG.INVALID');
      expect((caught as Error).message).toMatch(/^rolecall\.yml: /);
    }
  });
});
