import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/**
 * Issue 15, memory: the MongoDB driver (~33 MiB RSS) and the Anthropic SDK (~25 MiB) are loaded
 * only by a process that uses them. The playground (SQLite, no API key) is started as `npm run
 * demo` starts it, and a preload lists every npm package it resolves until it is running.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

async function packagesLoadedBy(args: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-lazy-'));
  const file = join(dir, 'packages.txt');
  try {
    const child = spawn(
      process.execPath,
      ['--import', join(root, 'test/support/loaded-packages.mjs'), join(root, 'bin/rolecall.js'), ...args],
      { cwd: root, env: { ...env, LOADED_PACKAGES_FILE: file }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const seen = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"msg":"Rolecall started"')) resolve();
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
      child.on('exit', (code) => reject(new Error(`exited ${code} before it started:\n${output}`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    return readFileSync(file, 'utf8').trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it('the playground on SQLite without an API key loads neither the MongoDB driver nor the Anthropic SDK', async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info' };
  const loaded = await packagesLoadedBy(['demo', '--port', '0'], env);
  expect(loaded).toContain('zod'); // the preload saw the process's packages
  expect(loaded).toContain('@slack/bolt');
  expect(loaded).not.toContain('mongodb');
  expect(loaded).not.toContain('@anthropic-ai/sdk');
}, 60_000);
