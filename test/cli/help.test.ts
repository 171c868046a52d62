import type { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli.ts';
import { runCli } from './run-cli.ts';

/** `--help` on every command (walked from the real tree, so new commands are covered) and usage errors. */
afterEach(() => vi.restoreAllMocks());

const run = (...argv: string[]) => runCli(argv);

function paths(cmd: Command, prefix: string[] = []): string[][] {
  return [prefix, ...cmd.commands.flatMap((c) => paths(c, [...prefix, c.name()]))];
}

const all = paths(buildProgram());

describe('rolecall --help', () => {
  it('the tree has the commands the README documents', () => {
    const names = all.map((p) => p.join(' '));
    for (const c of ['start', 'doctor', 'policy check', 'policy explain', 'audit', 'audit verify'])
      expect(names).toContain(c);
  });

  it.each(all.map((p) => [p.join(' ') || '(top level)', p]))(
    '%s --help prints usage and exits 0',
    async (_, p) => {
      const r = await run(...(p as string[]), '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(`^Usage: rolecall${(p as string[]).map((x) => ` ${x}`).join('')} `),
      );
      expect(r.stdout).toContain('-h, --help');
      expect(r.stderr).toBe('');
    },
  );
});

describe('usage errors: one line naming what is wrong', () => {
  it.each([
    [['doctor', '--verbose'], "rolecall: unknown option '--verbose'"],
    [
      ['policy', 'explain', '--role', 'admin', '--requestor', 'a@b.c'],
      "rolecall: unknown option '--requestor' (Did you mean --requester?)",
    ],
    [['audit', '--fromat', 'csv'], "rolecall: unknown option '--fromat' (Did you mean --format?)"],
    [['dcotor'], "rolecall: unknown command 'dcotor' (Did you mean doctor?)"],
    [['policy', 'lint'], "rolecall: unknown command 'lint'"],
    [
      ['audit', 'verify', 'now'],
      "rolecall: too many arguments for 'verify'. Expected 0 arguments but got 1: now.",
    ],
  ])('%j → exit 2', async (argv, line) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.stdout).toBe('');
  });

  it('a bad flag value names the flag in one line, exit 1 (as before)', async () => {
    const r = await run('doctor', '--timeout', 'soon');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "rolecall: option '--timeout <seconds>' argument 'soon' is invalid. seconds, more than 0 and at most 300\n",
    );
  });
});
