import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCIM_TOKEN_ENV, samplePolicy } from '../../src/playground/sample.ts';
import { buttonIndex, startClient } from './helpers.ts';

/** The playground's organisation: the built-in policy, or the user's own rolecall.yml against the embedded directory. */
const EXAMPLE = resolve(import.meta.dirname, '../../rolecall.example.yml');
const dir = mkdtempSync(join(tmpdir(), 'rolecall-sample-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withModel(model: string, attributePath?: string): string {
  const file = join(dir, `${model}${attributePath?.replace(/\W/g, '') ?? ''}.yml`);
  const line = `roleModel: ${model}${attributePath ? `\n      attributePath: "${attributePath}"` : ''}`;
  const text = readFileSync(EXAMPLE, 'utf8').replace('roleModel: groups', line);
  expect(text).toContain(line);
  writeFileSync(file, text);
  return file;
}

describe('sample organisation', () => {
  it('uses the built-in demo policy when the file does not exist', () => {
    const s = samplePolicy(join(dir, 'missing.yml'), 'http://127.0.0.1:1/scim/v2');
    expect(s.source).toBe('built-in demo policy');
    expect(Object.keys(s.tenant.roles)).toEqual(['viewer', 'editor', 'admin', 'owner']);
    const rules = s.tenant.rules;
    expect(rules.some((r) => r.target === 'self' && r.approval === 'none')).toBe(true);
    expect(rules.some((r) => r.approval !== 'none')).toBe(true);
    expect(rules.some((r) => r.maxDuration)).toBe(true);
    expect(s.groups.map((g) => [g.displayName, g.members])).toEqual([
      ['Viewers', ['vic@example.com', 'dana.kim@example.com']],
      ['Editors', ['erin@example.com']],
      ['Admins', ['alex@example.com']],
      ['Owners', ['olivia@example.com']],
    ]);
  });

  it("uses the user's rolecall.yml, pointed at the embedded directory only", () => {
    const s = samplePolicy(EXAMPLE, 'http://127.0.0.1:9/scim/v2');
    expect(s.source).toBe(EXAMPLE);
    expect(s.teamId).toBe('T0ACME');
    expect(s.approvalChannel).toBe('C0APPROVALS');
    expect(s.tenant.scim.baseUrl).toBe('http://127.0.0.1:9/scim/v2');
    expect(s.tenant.scim.tokenEnv).toBe(SCIM_TOKEN_ENV);
    expect(s.policy.operators).toEqual({ teams: [], users: [] });
  });

  it('seeds the roles and attribute models on the users themselves', () => {
    const roles = samplePolicy(withModel('roles'), 'http://127.0.0.1:9/scim/v2');
    expect(roles.groups).toEqual([]);
    expect(roles.users.find((u) => u.userName === 'olivia@example.com')?.roles).toEqual(['owner']);
    const urn = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    const attr = samplePolicy(withModel('attribute', `${urn}:role`), 'http://127.0.0.1:9/scim/v2');
    expect(attr.users.find((u) => u.userName === 'alex@example.com')?.[urn]).toEqual({ role: 'admin' });
    expect(() => samplePolicy(withModel('attribute', 'a.b'), 'http://127.0.0.1:9/scim/v2')).toThrow(
      /attributePath a\.b/,
    );
  });

  it('runs a whole request with the roles model from a user file', async () => {
    const c = await startClient({ ROLECALL_CONFIG: withModel('roles') });
    try {
      expect(c.p.sample.teamId).toBe('T0ACME');
      await c.say('U0ALEX', 'C0GENERAL', 'make Dana Kim an editor');
      const confirm = await c.card('U0ALEX', 'C0GENERAL', /^Grant `editor` to Dana Kim\?/);
      await c.click('U0ALEX', 'C0GENERAL', confirm.ts, buttonIndex(confirm, 'Confirm'));
      const dana = c.p.scim.state.userByName('dana.kim@example.com')!;
      expect((dana.roles as { value: string }[]).map((r) => r.value).sort()).toEqual(['editor', 'viewer']);
    } finally {
      await c.p.stop();
    }
  });
});
