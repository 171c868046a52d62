import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'rolecall-cli-policy-'));
const sample = join(dir, 'rolecall.yml');
copyFileSync(new URL('../../rolecall.example.yml', import.meta.url), sample);
const savedConfig = process.env.ROLECALL_CONFIG;

afterEach(() => {
  vi.restoreAllMocks();
  if (savedConfig === undefined) delete process.env.ROLECALL_CONFIG;
  else process.env.ROLECALL_CONFIG = savedConfig;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...argv: string[]) => runCli(argv);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('rolecall policy check', () => {
  it('accepts the sample policy and summarises it', async () => {
    const r = await run('policy', 'check', sample);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ok: ${sample}: 1 tenant`);
    expect(r.stdout).toContain('acme (Acme Corp): 4 roles (1 protected), 4 rules, admin roles: admin, owner');
    // "A new owner needs two owners": true, and worth knowing (issue 16) — fewer than 3 owners wait forever.
    expect(r.stderr).toBe(
      'warning: tenant acme: rule-3: approved only by [owner], roles that also ask: nobody may approve their own ' +
        'request, so with fewer than 3 people holding them a request waits until it expires ' +
        '(add an approver role the requesters do not hold)\n',
    );
  });

  it('reads $ROLECALL_CONFIG when no file is given', async () => {
    process.env.ROLECALL_CONFIG = sample;
    const r = await run('policy', 'check');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok:');
  });

  it('prints every problem with its key path, one per line, and exits 1', async () => {
    const bad = file(
      'bad.yml',
      `tenants:
  - id: Acme
    slack: { teams: [T0ACME], approvalChannel: nope }
    scim: { baseUrl: "ftp://x", roleModel: groups }
    roles:
      viewer: { group: Viewers }
      admin: { level: high }
    adminRoles: [root]
    rules:
      - { who: [wizard], can: [grant, fly], roles: [viewer], maxDuration: 3 hours }
      - { who: [admin], can: [grant], roles: [viewer], approval: { by: [admin], count: 0 }, colour: red }
timers: { pendingTtl: forever }
`,
    );
    const r = await run('policy', 'check', bad);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    const paths = [
      'tenants[0].id',
      'tenants[0].slack.approvalChannel',
      'tenants[0].scim.baseUrl',
      'tenants[0].roles.admin.level',
      'tenants[0].rules[0].can[1]',
      'tenants[0].rules[0].maxDuration',
      'tenants[0].rules[1].approval.count',
      'tenants[0].rules[1]',
      'timers.pendingTtl',
    ];
    for (const p of paths)
      expect(
        lines.some((l) => l.startsWith(`${bad}: ${p}: `)),
        p,
      ).toBe(true);
    expect(r.stderr).toContain('Unrecognized key: "colour"');
    expect(lines.at(-1)).toMatch(/^rolecall: \d+ problems found$/);
    expect(r.stdout).toBe('');
  });

  it('reports references to unknown roles once the shapes are right', async () => {
    const bad = file(
      'refs.yml',
      `tenants:
  - id: acme
    slack: { teams: [T0ACME] }
    scim: { baseUrl: "https://x.example/scim", roleModel: roles }
    roles: { viewer: {} }
    adminRoles: [root]
    rules:
      - { who: [wizard], can: [grant], roles: [viewer, ghost], approval: { by: [boss] } }
`,
    );
    const r = await run('policy', 'check', bad);
    expect(r.code).toBe(1);
    for (const p of [
      'tenants[0].adminRoles[0]: unknown role "root"',
      'tenants[0].rules[0].who[0]: unknown role "wizard"',
      'tenants[0].rules[0].roles[1]: unknown role "ghost"',
      'tenants[0].rules[0].approval.by[0]: unknown role "boss"',
    ])
      expect(r.stderr).toContain(`${bad}: ${p}`);
    expect(r.stderr).toContain('rolecall: 4 problems found');
  });

  it('reports YAML syntax errors with a line number', async () => {
    const bad = file('syntax.yml', 'tenants:\n  - id: acme\n    roles: { viewer: {\n');
    const r = await run('policy', 'check', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${bad}:\\d+: `));
  });

  it('exits 1 for a missing file', async () => {
    const r = await run('policy', 'check', join(dir, 'nope.yml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot read the config file');
  });

  it('rejects duplicate rule ids (decisions name rules by id) and warns about low-ranked approvers', async () => {
    const dup = file(
      'dup.yml',
      `tenants:
  - id: acme
    slack: { teams: [T0ACME] }
    scim: { baseUrl: "https://x.example/scim", roleModel: roles }
    roles: { viewer: {}, admin: {} }
    rules:
      - { id: rule-2, who: [admin], can: [grant], roles: [viewer] }
      - { who: [viewer], can: [grant], roles: [admin], approval: { by: [viewer] } }
`,
    );
    const r = await run('policy', 'check', dup);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tenants[0].rules[1].id: duplicate rule id "rule-2" (also rules[0])');
    const warn = file(
      'warn.yml',
      `tenants:
  - id: acme
    slack: { teams: [T0ACME] }
    scim: { baseUrl: "https://x.example/scim", roleModel: roles }
    roles: { viewer: {}, admin: {} }
    rules:
      - { who: [viewer], can: [grant], roles: [admin], approval: { by: [viewer] } }
`,
    );
    const w = await run('policy', 'check', warn);
    expect(w.code).toBe(0);
    expect(w.stderr).toContain(
      'warning: tenant acme: rule-1: approvers [viewer] include a role ranking below [admin]',
    );
  });
});

describe('rolecall policy explain', () => {
  it('names the deciding rule and why each other rule does not apply', async () => {
    const r = await run(
      'policy',
      'explain',
      '--file',
      sample,
      '--requester-roles',
      'admin',
      '--role',
      'admin',
      '--duration',
      '2h',
    );
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'tenant acme: a holder of [admin] asks to grant admin for someone else for 2h',
      'decision: needs approval by rule-2: 1 distinct approver holding owner, for 2h',
      '  rule-1  no match: role admin not in [viewer, editor]',
      '  rule-2  matches → needs approval by rule-2: 1 distinct approver holding owner, for 2h',
      '  rule-3  no match: requester holds none of [owner]; role admin not in [owner]',
      '  rule-4  no match: role admin not in [editor]; target must be the requester',
      '',
    ]);
  });

  it('shows caps, denials and self-service', async () => {
    const base = ['policy', 'explain', '--file', sample];
    const noDuration = await run(...base, '--requester-roles', 'owner', '--role', 'admin');
    expect(noDuration.stdout).toContain('for 8h (capped)');
    const tooLong = await run(
      ...base,
      '--requester-roles',
      'admin,owner',
      '--role',
      'admin',
      '--duration',
      '9h',
    );
    expect(tooLong.code).toBe(0);
    expect(tooLong.stdout).toContain('decision: deny (duration_exceeds_max) by rule-2: 9h asked, at most 8h');
    const twoOwners = await run(...base, '--requester-roles', 'owner', '--role', 'owner');
    expect(twoOwners.stdout).toContain(
      'decision: needs approval by rule-3: 2 distinct approvers holding owner',
    );
    const selfService = await run(...base, '--role', 'editor', '--target', 'self');
    expect(selfService.stdout).toContain('a holder of [no role] asks to grant editor for themselves');
    expect(selfService.stdout).toContain(
      'decision: needs approval by rule-4: 1 distinct approver holding admin or owner, for 1d (capped)',
    );
    const forOthers = await run(...base, '--role', 'editor', '--requester-roles', 'viewer');
    expect(forOthers.stdout).toContain('decision: deny (no_matching_rule)');
  });

  it('explains operator relays', async () => {
    const r = await run('policy', 'explain', '--file', sample, '--operator', '--role', 'editor');
    expect(r.stdout).toContain('a vendor operator asks');
    expect(r.stdout).toContain(
      'decision: needs approval by rule-1: 1 distinct approver holding admin or owner',
    );
    expect(r.stdout).toContain("relayed by an operator: needs approval by the tenant's admin roles");
  });

  it('exits 1 on bad input: unknown tenant, unknown roles, bad duration, missing --role', async () => {
    const base = ['policy', 'explain', '--file', sample];
    const tenant = await run(...base, '--tenant', 'globex', '--role', 'admin');
    expect(tenant).toMatchObject({ code: 1 });
    expect(tenant.stderr).toContain('no tenant "globex"; tenants: acme');
    const roles = await run(...base, '--role', 'admin', '--requester-roles', 'admin,wizard');
    expect(roles.code).toBe(1);
    expect(roles.stderr).toContain('unknown role wizard; tenant acme has: viewer, editor, admin, owner');
    expect((await run(...base, '--role', 'admin', '--duration', 'forever')).code).toBe(1);
    expect((await run(...base, '--role', 'admin', '--action', 'promote')).code).toBe(1);
    expect((await run(...base)).code).toBe(1);
    expect((await run('policy', 'explain', '--file', join(dir, 'nope.yml'), '--role', 'admin')).code).toBe(1);
  });

  it('needs --tenant when the file has several tenants', async () => {
    const two = file(
      'two.yml',
      `tenants:
  - { id: a, slack: { teams: [T0A] }, scim: { baseUrl: "https://a.example/scim", roleModel: roles }, roles: { viewer: {} } }
  - { id: b, slack: { teams: [T0B] }, scim: { baseUrl: "https://b.example/scim", roleModel: roles }, roles: { viewer: {} } }
`,
    );
    const r = await run('policy', 'explain', '--file', two, '--role', 'viewer');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('choose one with --tenant: a, b');
    const ok = await run('policy', 'explain', '--file', two, '--tenant', 'b', '--role', 'viewer');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('(the tenant has no rules: everything is denied)');
  });
});
