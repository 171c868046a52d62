import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { POLICY } from '../e2e/harness.ts';
import { type ScimServer, startScimServer } from '../support/scim-server.ts';
import { type CliRun, runCli } from './run-cli.ts';

/** `policy explain --requester EMAIL [--target EMAIL]`: roles read from our SCIM test server. */
const TOKEN = 'explain-scim-token-s3cret';
const dir = mkdtempSync(join(tmpdir(), 'rolecall-explain-dir-'));
let scim: ScimServer;
let file: string;
const savedToken = process.env.E2E_SCIM_TOKEN;

beforeAll(async () => {
  const people = [
    { userName: 'alice@acme.test', displayName: 'Alice Admin', groups: ['Admins'] },
    { userName: 'erin@acme.test', displayName: 'Erin Editor', groups: ['Editors'] },
    { userName: 'bob@acme.test', displayName: 'Bob Builder', groups: ['Viewers'] },
    { userName: 'gone@acme.test', displayName: 'Gone Owner', groups: ['Owners'], active: false },
  ];
  scim = await startScimServer({
    token: TOKEN,
    users: people.map((p) => ({
      userName: p.userName,
      displayName: p.displayName,
      emails: [p.userName],
      active: p.active ?? true,
    })),
    groups: ['Viewers', 'Editors', 'Admins', 'Owners'].map((g) => ({
      displayName: g,
      members: people.filter((p) => p.groups.includes(g)).map((p) => p.userName),
    })),
  });
  file = join(dir, 'rolecall.yml');
  writeFileSync(file, POLICY.replace('SCIM_URL', scim.baseUrl));
});
afterEach(() => {
  vi.restoreAllMocks();
  if (savedToken === undefined) delete process.env.E2E_SCIM_TOKEN;
  else process.env.E2E_SCIM_TOKEN = savedToken;
});
afterAll(async () => {
  await scim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function explain(...args: string[]): Promise<CliRun> {
  process.env.E2E_SCIM_TOKEN ??= TOKEN;
  return runCli(['policy', 'explain', '--file', file, ...args]);
}

const idOf = (userName: string) => [...scim.state.users.values()].find((u) => u.userName === userName)!.id;

describe('policy explain --requester EMAIL', () => {
  it("reads both people's roles from the directory and explains the decision", async () => {
    const r = await explain(
      '--tenant',
      'acme',
      '--requester',
      'alice@acme.test',
      '--target',
      'erin@acme.test',
      '--role',
      'admin',
      '--duration',
      '2h',
    );
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `requester alice@acme.test (Alice Admin), SCIM id ${idOf('alice@acme.test')}: active, roles [admin]`,
      `target erin@acme.test (Erin Editor), SCIM id ${idOf('erin@acme.test')}: active, roles [editor]`,
      'tenant acme: alice@acme.test asks to grant admin for erin@acme.test for 2h',
      'decision: needs approval by rule-2: 1 distinct approver holding owner, for 2h',
      '  rule-1  no match: role admin not in [viewer, editor]',
      '  rule-2  matches → needs approval by rule-2: 1 distinct approver holding owner, for 2h',
      '  rule-3  no match: requester holds none of [owner]; role admin not in [owner]',
      '  rule-4  no match: role admin not in [editor]; target must be the requester',
      '',
    ]);
  });

  it('uses the self-service rule for a viewer asking for themselves (by --target self or their own email)', async () => {
    for (const target of ['self', 'bob@acme.test']) {
      const r = await explain('--requester', 'bob@acme.test', '--target', target, '--role', 'editor');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('roles [viewer]');
      expect(r.stdout).toContain('asks to grant editor for themselves');
      expect(r.stdout).toContain(
        'decision: needs approval by rule-4: 1 distinct approver holding admin or owner, for 1d (capped)',
      );
    }
  });

  it('a viewer asking for admin for someone else is denied: no rule matches', async () => {
    const r = await explain('--requester', 'bob@acme.test', '--target', 'erin@acme.test', '--role', 'admin');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('decision: deny (no_matching_rule)');
    expect(r.stdout).toContain('rule-2  no match: requester holds none of [admin, owner]');
  });

  it("explains a revoke from the target's current roles", async () => {
    const r = await explain(
      '--requester',
      'alice@acme.test',
      '--target',
      'erin@acme.test',
      '--action',
      'revoke',
      '--role',
      'editor',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tenant acme: alice@acme.test asks to revoke editor for erin@acme.test');
    expect(r.stdout).toContain('decision: allow by rule-1');
  });

  it('an inactive requester is refused before any rule is considered', async () => {
    const r = await explain('--requester', 'gone@acme.test', '--role', 'viewer');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('gone@acme.test (Gone Owner)');
    expect(r.stdout).toContain(': INACTIVE, roles [owner]');
    expect(r.stdout).toContain('refused before any rule was considered (requester_inactive)');
  });

  it('exits 1 naming who is missing, or the flags that do not go together', async () => {
    const missing = await explain('--requester', 'nobody@acme.test', '--role', 'viewer');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("rolecall: no user nobody@acme.test in tenant acme's directory");
    const both = await explain(
      '--requester',
      'bob@acme.test',
      '--requester-roles',
      'admin',
      '--role',
      'viewer',
    );
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('give --requester or --requester-roles, not both');
    const noRequester = await explain('--target', 'erin@acme.test', '--role', 'viewer');
    expect(noRequester.code).toBe(1);
    expect(noRequester.stderr).toContain('--target EMAIL needs --requester EMAIL');
    const badTarget = await explain('--requester', 'bob@acme.test', '--target', 'erin', '--role', 'viewer');
    expect(badTarget.code).toBe(1);
    expect(badTarget.stderr).toContain('--target: use self, other or an email (got "erin")');
  });

  it('finds people exactly as the bot does: no userName fallback the bot lacks (issue 12 item 8)', async () => {
    // userName looks like an address, but the account's email is another one: the bot (userLookup:
    // email) cannot identify svc@acme.test, so policy explain must not either.
    scim.state.addUser({ userName: 'svc@acme.test', emails: ['service-desk@acme.test'] });
    const r = await explain('--requester', 'svc@acme.test', '--role', 'viewer');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("rolecall: no user svc@acme.test in tenant acme's directory");
  });

  it('reports a refused SCIM token as one line with its code, without the token', async () => {
    process.env.E2E_SCIM_TOKEN = 'not-the-token-at-all';
    const r = await explain('--requester', 'bob@acme.test', '--role', 'viewer');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^rolecall: SCIM\.AUTH: .*rejected the credentials \(HTTP 401\)/);
    expect(r.stderr).not.toContain('not-the-token-at-all');
  });
});
