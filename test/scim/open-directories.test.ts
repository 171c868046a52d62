import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDirectories, type ScimDirectories } from '../../src/adapters/scim/index.ts';
import { sourceFiles } from '../architecture/imports.ts';
import { type ScimServer, startScimServer } from '../support/scim-server.ts';
import { captureLogger, makeTenant, TOKEN_ENV } from './helpers.ts';

/**
 * Issue 15 item 5: one factory builds the directories for the bot and every CLI command. It
 * carries the injected clock (the bot's used to be dropped: Retry-After dates and cached group ids
 * ran on the machine's time under a test clock) and reports each call for the metrics.
 */
let server: ScimServer | undefined;
let dirs: ScimDirectories | undefined;
afterEach(async () => {
  await dirs?.close();
  await server?.close();
  dirs = server = undefined;
});

describe('openDirectories', () => {
  it('reads a Retry-After date against the injected clock and reports every call', async () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    server = await startScimServer({
      token: 't',
      users: [{ id: 'u-alice', userName: 'alice', emails: ['alice@example.com'] }],
      faults: {
        rules: [
          {
            method: 'GET',
            action: { kind: 'status', status: 503, retryAfter: new Date(now + 3000).toUTCString() },
          },
        ],
      },
    });
    const delays: number[] = [];
    const calls: unknown[][] = [];
    dirs = openDirectories({
      tenants: [makeTenant(server.baseUrl)],
      env: { [TOKEN_ENV]: 't' },
      logger: captureLogger().logger,
      clock: { now: () => new Date(now) },
      sleep: async (ms) => {
        delays.push(ms);
      },
      onCall: (...a) => calls.push(a),
    });
    expect((await dirs.forTenant('acme').getUser('u-alice'))?.userName).toBe('alice');
    expect(delays).toEqual([3000]);
    expect(calls).toEqual([
      ['GET', '503', 'SCIM.UNAVAILABLE'],
      ['GET', '200', undefined],
    ]);
  });

  it('is the only builder of directories in src/ (main and the CLI commands use it)', () => {
    const src = resolve(import.meta.dirname, '../../src');
    const builders = sourceFiles(src)
      .filter((f) => /\bcreateScimDirector(y|ies)\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(src, f));
    expect(builders.sort()).toEqual(['adapters/scim/directory.ts', 'adapters/scim/index.ts']);
  });
});
