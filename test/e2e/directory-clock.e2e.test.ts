import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScimServer } from '../support/scim-server.ts';
import { type E2E, startE2E } from './harness.ts';

/**
 * Issue 15 item 5 (one factory builds the directories): the bot's directories now get the
 * injected clock. Before, main.ts built them without it, so a Retry-After HTTP date was read
 * against the machine's clock: a bot whose clock is ahead of the machine's (here a test clock a
 * year ahead) saw a wait of a year, gave up, and the read failed.
 */
let e: E2E;
let scim: ScimServer;
beforeAll(async () => {
  e = await startE2E({
    scim: 'own',
    ownScim: (s) => {
      scim = s;
    },
  });
});
afterAll(async () => {
  await e?.close();
});

describe("the bot's directories", () => {
  it('read a Retry-After date against the injected clock', async () => {
    e.clock.advance(365 * 24 * 3_600_000);
    const retryAt = new Date(e.clock.now().getTime() + 3_000).toUTCString();
    scim.faults.rules.push({ method: 'GET', action: { kind: 'status', status: 503, retryAfter: retryAt } });
    const user = await e.app.directories.forTenant('acme').getUser(e.scimId('alice'));
    expect(user?.userName).toBe('alice@acme.test');
    expect(scim.faults.rules).toEqual([]);
  });
});
