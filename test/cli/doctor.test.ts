import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic.ts';
import { type ScimServer, startScimServer } from '../support/scim-server.ts';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';
import { type SocketModeServer, startSocketModeServer } from '../support/socket-mode-server.ts';
import { runCli } from './run-cli.ts';

/** `rolecall doctor` against real local peers: Slack emulator, our SCIM server, fake Messages API, SQLite. */
const SCIM_TOKEN = 'doctor-scim-token-s3cret';
const API_KEY = 'sk-ant-doctor-key';
const MODEL = 'claude-doctor-1';
const dir = mkdtempSync(join(tmpdir(), 'rolecall-doctor-'));
let slack: SlackEmulator;
let sock: SocketModeServer;
let scim: ScimServer;
let llm: FakeAnthropic;
const saved = { ...process.env };

function policy(
  baseUrl: string,
  roles = 'viewer: { group: Viewers }, editor: { group: Editors }, admin: { group: Admins }, owner: { group: Owners, protected: true }',
): string {
  const file = join(dir, `rolecall-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(
    file,
    `tenants:
  - id: acme
    slack: { teams: [T0ACME] }
    scim: { baseUrl: "${baseUrl}", tokenEnv: DOCTOR_SCIM_TOKEN, roleModel: groups, retries: 0, timeout: 2s }
    roles: { ${roles} }
`,
  );
  return file;
}

let good: string;
function baseEnv(): NodeJS.ProcessEnv {
  return {
    ROLECALL_CONFIG: good,
    ROLECALL_DATA_DIR: join(dir, 'data'),
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: 'doctor-signing-secret',
    SLACK_API_URL: slack.apiUrl,
    DOCTOR_SCIM_TOKEN: SCIM_TOKEN,
    ANTHROPIC_API_KEY: API_KEY,
    ANTHROPIC_BASE_URL: llm.baseUrl,
    ROLECALL_MODEL: MODEL,
  };
}

beforeAll(async () => {
  sock = await startSocketModeServer();
  slack = await startSlackEmulator({ teams: [{ id: 'T0ACME' }], socketUrl: sock.url });
  scim = await startScimServer({
    token: SCIM_TOKEN,
    users: [{ userName: 'alice@acme.test', emails: ['alice@acme.test'] }],
    groups: ['Viewers', 'Editors', 'Admins', 'Owners'].map((displayName) => ({ displayName, members: [] })),
  });
  llm = await startFakeAnthropic({ models: [MODEL], apiKey: API_KEY });
  good = policy(scim.baseUrl);
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});
afterAll(async () => {
  await Promise.all([slack?.close(), sock?.close(), scim?.close(), llm?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function doctor(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; lines: string[]; stdout: string }> {
  for (const k of ['MONGODB_URI', 'SLACK_APP_TOKEN', 'ANTHROPIC_API_KEY']) delete process.env[k];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const { code, stdout } = await runCli(['doctor', ...args]);
  return { code, stdout, lines: stdout.trimEnd().split('\n') };
}

const line = (lines: string[], name: string) => lines.find((l) => new RegExp(`^\\w+ ${name}\\s`).test(l));

describe('rolecall doctor', () => {
  it('passes every check against healthy peers and exits 0', async () => {
    const r = await doctor(baseEnv());
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([
      `PASS config     ${good}: 1 tenant, 4 roles`,
      'PASS slack      auth.test ok: team T0ACME, bot user UROLECALLBOT; HTTP mode (events at /slack/events)',
      `PASS scim acme  ${scim.baseUrl} reachable, groups Viewers, Editors, Admins, Owners exist`,
      `PASS llm        model ${MODEL} reachable`,
      `PASS store      sqlite ${join(dir, 'data', 'rolecall.sqlite')}`,
      // How the SCIM server behaves, one finding a line (issue 12).
      'PASS scim acme  email lookup: emails[value eq …] works',
      'PASS scim acme  name search: partial names work (form 1 of 5)',
      'PASS scim acme  userName/email eq: case-insensitive, as RFC 7643 requires',
      'PASS scim acme  users list their groups: roles are read with one GET per person',
      'PASS scim acme  member filters honoured (negative control found nothing), form 1',
      'PASS scim acme  ETags supported (ServiceProviderConfig): role-list rewrites are guarded by If-Match',
      'PASS scim acme  a warm grant takes about 3 SCIM calls',
    ]);
    expect(llm.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v1/models/${MODEL}` });
  });

  it('warns about a case-sensitive, member-filter-ignoring server without ETags, saying what to do', async () => {
    const odd = await startScimServer({
      token: SCIM_TOKEN,
      users: [{ userName: 'Jo.Nguyen@X.com', emails: ['Jo.Nguyen@X.com'] }],
      groups: ['Viewers', 'Editors', 'Admins', 'Owners'].map((displayName) => ({ displayName })),
      faults: {
        caseSensitiveFilters: true,
        userGroups: false,
        ignoreMemberFilter: true,
        etags: false,
        rejectEmailValuePath: true,
      },
    });
    try {
      const r = await doctor({ ...baseEnv(), ROLECALL_CONFIG: policy(odd.baseUrl) });
      expect(r.code).toBe(0);
      const scimLines = r.lines.filter((l) => l.includes('scim acme')).slice(1);
      expect(scimLines).toEqual([
        'WARN scim acme  email lookup: only emails.value eq … works; Rolecall uses it (one refused call per process to learn it)',
        'PASS scim acme  name search: partial names work (form 1 of 5)',
        expect.stringMatching(
          /^WARN scim acme {2}userName\/email eq: CASE-SENSITIVE .*Remedy: userLookup: externalId/,
        ),
        expect.stringMatching(/^WARN scim acme {2}member filters IGNORED: .*reads group members instead/),
        'PASS scim acme  ETags not supported: group membership PATCHes add or remove one member, so concurrent writers do not overwrite each other',
        'WARN scim acme  a warm grant takes about 7 SCIM calls (users do not list their groups)',
      ]);
    } finally {
      await odd.close();
    }
  });

  it('checks the app token in Socket Mode with apps.connections.open', async () => {
    const before = slack.callsTo('apps.connections.open').length;
    const ok = await doctor({ ...baseEnv(), SLACK_APP_TOKEN: slack.appToken });
    expect(ok.code).toBe(0);
    expect(line(ok.lines, 'slack')).toContain('Socket Mode: apps.connections.open ok');
    expect(
      slack
        .callsTo('apps.connections.open')
        .slice(before)
        .map((c) => c.auth),
    ).toEqual(['app']);

    const bad = await doctor({ ...baseEnv(), SLACK_APP_TOKEN: 'xapp-not-the-real-one' });
    expect(bad.code).toBe(1);
    expect(line(bad.lines, 'slack')).toBe(
      'FAIL slack      SLACK.API: apps.connections.open: invalid_auth (check SLACK_APP_TOKEN)',
    );
    expect(bad.stdout).not.toContain('xapp-not-the-real-one');
  });

  it('fails the slack line on a rejected bot token, naming the variable, and still runs the rest', async () => {
    const r = await doctor({ ...baseEnv(), SLACK_BOT_TOKEN: 'xoxb-wrong-token' });
    expect(r.code).toBe(1);
    expect(line(r.lines, 'slack')).toBe(
      'FAIL slack      SLACK.API: auth.test: invalid_auth (check SLACK_BOT_TOKEN)',
    );
    expect(line(r.lines, 'scim acme')).toMatch(/^PASS/);
    expect(line(r.lines, 'store')).toMatch(/^PASS/);
    expect(r.lines.at(-1)).toBe('1 check failed');
    expect(r.stdout).not.toContain('xoxb-wrong-token');
  });

  it('names a role group that does not exist in the directory', async () => {
    const file = policy(scim.baseUrl, 'viewer: { group: Viewers }, auditor: { group: Auditors }');
    const r = await doctor({ ...baseEnv(), ROLECALL_CONFIG: file });
    expect(r.code).toBe(1);
    expect(line(r.lines, 'scim acme')).toBe(
      'FAIL scim acme  SCIM.NOT_FOUND: role "auditor": SCIM group "Auditors" not found (tenant acme)',
    );
  });

  it('reports a refused SCIM token as SCIM.AUTH without showing the token', async () => {
    const r = await doctor({ ...baseEnv(), DOCTOR_SCIM_TOKEN: 'wrong-scim-token-value' });
    expect(r.code).toBe(1);
    expect(line(r.lines, 'scim acme')).toMatch(
      /^FAIL scim acme {2}SCIM\.AUTH: http:\/\/127\.0\.0\.1:\d+\/scim\/v2: .*rejected the credentials \(HTTP 401\)/,
    );
    expect(r.stdout).not.toContain('wrong-scim-token-value');
    expect(r.stdout).not.toContain(SCIM_TOKEN);
  });

  it('fails a SCIM check that does not answer within --timeout', async () => {
    scim.faults.rules.push({ path: '/Users', action: { kind: 'hang' } });
    const r = await doctor(baseEnv(), '--timeout', '0.3');
    expect(r.code).toBe(1);
    expect(line(r.lines, 'scim acme')).toBe('FAIL scim acme  no answer within 0.3 s');
    expect(line(r.lines, 'slack')).toMatch(/^PASS/);
  });

  it('skips the model without a key, fails an unknown model or a refused key', async () => {
    const skip = await doctor({ ...baseEnv(), ANTHROPIC_API_KEY: undefined });
    expect(skip.code).toBe(0);
    expect(line(skip.lines, 'llm')).toBe('SKIP llm        no ANTHROPIC_API_KEY: offline parser');

    const unknown = await doctor({ ...baseEnv(), ROLECALL_MODEL: 'claude-nonexistent' });
    expect(unknown.code).toBe(1);
    expect(line(unknown.lines, 'llm')).toBe(
      'FAIL llm        LLM.UNAVAILABLE: model claude-nonexistent not found (ROLECALL_MODEL)',
    );

    const key = await doctor({ ...baseEnv(), ANTHROPIC_API_KEY: 'sk-ant-wrong' });
    expect(line(key.lines, 'llm')).toBe(
      'FAIL llm        LLM.UNAVAILABLE: the API key was refused (ANTHROPIC_API_KEY, HTTP 401)',
    );
  });

  it('fails the store line when the store cannot be reached', async () => {
    const r = await doctor({
      ...baseEnv(),
      MONGODB_URI: 'mongodb://127.0.0.1:1/rolecall?serverSelectionTimeoutMS=200',
    });
    expect(r.code).toBe(1);
    expect(line(r.lines, 'store')).toMatch(/^FAIL store {6}STORE\.UNAVAILABLE: /);
  });

  it('prints each config problem as a FAIL line and checks nothing else', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'tenants: []\n');
    const r = await doctor({ ...baseEnv(), ROLECALL_CONFIG: bad });
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(/^FAIL config {2}.*bad\.yml: tenants: /);
    expect(r.lines.some((l) => /slack|scim|store/.test(l))).toBe(false);
  });

  it('runs as the real CLI in a child process: lines on stdout, exit code', async () => {
    const run = (env: NodeJS.ProcessEnv) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn('node_modules/.bin/node', ['bin/rolecall.js', 'doctor', '--timeout', '5'], {
          env: { PATH: process.env.PATH, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c) => {
          stdout += String(c);
        });
        child.stderr.on('data', (c) => {
          stderr += String(c);
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const ok = await run(baseEnv());
    expect(ok.code).toBe(0);
    expect(
      ok.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.slice(0, 4)),
    ).toEqual(Array(12).fill('PASS'));
    expect(ok.stderr).toBe('');
    const bad = await run({ ...baseEnv(), SLACK_BOT_TOKEN: 'xoxb-wrong' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      'FAIL slack      SLACK.API: auth.test: invalid_auth (check SLACK_BOT_TOKEN)',
    );
    // Slack unreachable: one FAIL line, and nothing else on stderr (no client warnings).
    const down = await run({ ...baseEnv(), SLACK_API_URL: 'http://127.0.0.1:9/api/' });
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('FAIL slack      SLACK.API: Slack auth.test could not be reached');
    expect(down.stderr).toBe('');
  });
});
