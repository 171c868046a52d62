import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { POLICY } from '../e2e/harness.ts';
import { type ScimServer, startScimServer } from '../support/scim-server.ts';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';

/** `rolecall start` as a real process: JSON logs on stdout, probes on PORT, clean exit on SIGTERM. */
const dir = mkdtempSync(join(tmpdir(), 'rolecall-start-'));
let slack: SlackEmulator;
let scim: ScimServer;

beforeAll(async () => {
  slack = await startSlackEmulator({ teams: [{ id: 'T0ACME' }] });
  scim = await startScimServer({
    token: 'start-token',
    groups: ['Viewers', 'Editors', 'Admins', 'Owners'].map((displayName) => ({ displayName, members: [] })),
  });
  writeFileSync(join(dir, 'rolecall.yml'), POLICY.replace('SCIM_URL', scim.baseUrl));
});
afterAll(async () => {
  await Promise.all([slack?.close(), scim?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the first stdout JSON line whose msg matches (bounded by the child's exit). */
function logLine(child: ChildProcess, msg: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += String(chunk);
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) {
        const parsed = JSON.parse(l) as Record<string, unknown>;
        if (parsed.msg === msg) {
          child.stdout!.off('data', onData);
          resolve(parsed);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before logging "${msg}"`)));
  });
}

describe('rolecall start', () => {
  it('serves /healthz, /readyz and /metrics on PORT and exits 0 on SIGTERM', async () => {
    const child = spawn('node_modules/.bin/node', ['bin/rolecall.js', 'start'], {
      env: {
        PATH: process.env.PATH,
        ROLECALL_CONFIG: join(dir, 'rolecall.yml'),
        ROLECALL_DATA_DIR: join(dir, 'data'),
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: 'start-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        E2E_SCIM_TOKEN: 'start-token',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const started = await logLine(child, 'Rolecall started');
      expect(started).toMatchObject({ mode: 'http', store: 'sqlite', tenants: ['acme'], level: 'info' });
      const base = `http://127.0.0.1:${started.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ ok: true, store: true, slack: true });
      expect(await (await fetch(`${base}/metrics`)).text()).toContain(
        '# TYPE rolecall_requests_total counter',
      );
      const stopping = logLine(child, 'stopping');
      child.kill('SIGTERM');
      await stopping;
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  // `start` opens the playground only with no Slack setting, no policy file and NODE_ENV not production
  // (test/playground/cli.test.ts); otherwise a half-done or secret-less setup gets the precise error.
  it.each([
    ['a half-done Slack setup', { SLACK_SIGNING_SECRET: 'half-done-setup' }],
    ['a policy file but no Slack setting at all', {}],
    ['a policy file, NODE_ENV=production and no Slack setting', { NODE_ENV: 'production' }],
  ])('stops with one line naming the variable on %s, exit 2', async (_name, extra) => {
    const child = spawn('node_modules/.bin/node', ['bin/rolecall.js', 'start'], {
      env: {
        PATH: process.env.PATH,
        ROLECALL_CONFIG: join(dir, 'rolecall.yml'),
        ROLECALL_DATA_DIR: join(dir, 'data-refused'),
        E2E_SCIM_TOKEN: 'x',
        PORT: '0',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      child.kill('SIGKILL');
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c) => {
      stderr += String(c);
    });
    child.stdout.on('data', (c) => {
      stdout += String(c);
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stdout).not.toContain('PLAYGROUND');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^rolecall: SLACK_BOT_TOKEN: not set/);
    expect(existsSync(join(dir, 'data-refused'))).toBe(false);
  });
});
