import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerDemoCommand } from '../../src/cli/demo.ts';
import { wantsPlayground } from '../../src/main.ts';

/**
 * `npm start` on a fresh checkout (no Slack tokens, no rolecall.yml), and `rolecall demo`, as real processes: they print where the
 * page is, serve it, and stop cleanly on SIGTERM.
 */
const BIN = resolve(import.meta.dirname, '../../bin/rolecall.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const EXAMPLE = resolve(import.meta.dirname, '../../rolecall.example.yml');

/**
 * Runs the CLI in an empty directory (no rolecall.yml unless `withPolicy`) with no Slack variables,
 * until `until` shows on stdout.
 */
function run(args: string[], until: RegExp, env: Record<string, string> = {}, withPolicy = false) {
  const cwd = mkdtempSync(join(tmpdir(), 'rolecall-cli-'));
  dirs.push(cwd);
  if (withPolicy) copyFileSync(EXAMPLE, join(cwd, 'rolecall.yml'));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLACK_')));
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...clean, LOG_LEVEL: 'warn', PORT: '0', ROLECALL_CONFIG: join(cwd, 'rolecall.yml'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const seen = new Promise<string>((ok, fail) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (until.test(out)) ok(out);
    });
    child.on('exit', (code) => fail(new Error(`exited ${code} before ${until}:\n${out}\n${err}`)));
  });
  return { child, seen, exited, output: () => out, errors: () => err };
}

describe('npm start without Slack tokens', () => {
  it('starts the playground, says so and where, and stops on SIGTERM with 0', async () => {
    const r = run(['start'], /Open (http:\/\/127\.0\.0\.1:\d+)/);
    const out = await r.seen;
    expect(out).toContain('PLAYGROUND: no Slack tokens are set (SLACK_BOT_TOKEN, SLACK_APP_TOKEN)');
    expect(out).toContain('built-in demo policy');
    expect(out).toMatch(/To connect Slack instead, set SLACK_BOT_TOKEN and SLACK_APP_TOKEN/);
    const url = /Open (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(url)).text()).toContain('Rolecall playground');
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  });

  it('keeps the precise Slack error once any Slack setting is given', async () => {
    const r = run(['start'], /never/, {
      SLACK_SIGNING_SECRET: 'abc',
      ROLECALL_CONFIG: EXAMPLE,
    });
    await expect(r.seen).rejects.toThrow(/exited 2/);
    expect(r.errors()).toContain('rolecall: SLACK_BOT_TOKEN: not set');
  });

  // A deployment that lost its secrets must not pass /healthz on a demo store (review finding).
  it.each([
    ['ROLECALL_CONFIG names a policy file', { ROLECALL_CONFIG: EXAMPLE }, false],
    ['./rolecall.yml is present', { ROLECALL_CONFIG: '' }, true],
    ['NODE_ENV is production (no policy file)', { NODE_ENV: 'production' }, false],
  ])(
    'with no Slack setting but %s: one line naming SLACK_BOT_TOKEN, exit 2, no playground',
    async (_n, env, withPolicy) => {
      const r = run(['start'], /Open http/, env, withPolicy);
      await expect(r.seen).rejects.toThrow(/exited 2/);
      expect(r.output()).not.toContain('PLAYGROUND');
      expect(r.errors().trim().split('\n')).toHaveLength(1);
      expect(r.errors()).toMatch(
        /^rolecall: SLACK_BOT_TOKEN: not set; .*\(or run `npm run demo` for the local playground\)$/m,
      );
    },
  );

  it('wantsPlayground: only with no Slack setting, no policy file and not production', () => {
    const none = '/nonexistent/rolecall.yml';
    expect(wantsPlayground({ ROLECALL_CONFIG: none })).toBe(true);
    expect(wantsPlayground({ ROLECALL_CONFIG: none, SLACK_BOT_TOKEN: ' ' })).toBe(true);
    expect(wantsPlayground({ ROLECALL_CONFIG: none, NODE_ENV: 'development' })).toBe(true);
    expect(wantsPlayground({ ROLECALL_CONFIG: none, SLACK_APP_TOKEN: 'xapp-1' })).toBe(false);
    expect(wantsPlayground({ ROLECALL_CONFIG: none, SLACK_BOT_TOKEN: 'xoxb-1' })).toBe(false);
    expect(wantsPlayground({ ROLECALL_CONFIG: none, NODE_ENV: 'production' })).toBe(false);
    expect(wantsPlayground({ ROLECALL_CONFIG: EXAMPLE })).toBe(false);
  });
});

describe('rolecall demo', () => {
  it('runs the playground on --port and stops on SIGTERM', async () => {
    const r = run(['demo', '--port', '0'], /Open (http:\/\/127\.0\.0\.1:\d+)/, {
      SLACK_BOT_TOKEN: 'xoxb-ignored',
      // `demo` opens the playground whatever `start` would do.
      NODE_ENV: 'production',
    });
    const out = await r.seen;
    expect(out).toContain('Rolecall is running as the local PLAYGROUND.');
    const url = /Open (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    const people = (await (await fetch(`${url}/api/people`)).json()) as { people: unknown[] };
    expect(people.people).toHaveLength(6);
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  });

  it('refuses a bad --port', async () => {
    const r = run(['demo', '--port', 'eighty'], /never/);
    await expect(r.seen).rejects.toThrow(/exited 1/);
    expect(r.errors()).toMatch(/--port <n>.*a port from 0 to 65535/);
  });

  it('--open opens the page URL in a browser', async () => {
    const opened: string[] = [];
    let stop!: () => void;
    const until = new Promise<void>((r) => {
      stop = r;
    });
    let banner = '';
    const program = new Command('rolecall').exitOverride();
    registerDemoCommand(program, {
      env: { LOG_LEVEL: 'silent', ROLECALL_CONFIG: '/nonexistent/rolecall.yml' },
      openUrl: (url) => {
        opened.push(url);
        stop();
      },
      until,
      out: (t) => {
        banner += t;
      },
    });
    await program.parseAsync(['demo', '--port', '0', '--open'], { from: 'user' });
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(banner).toContain(`Open ${opened[0]} `);
  });
});
