import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { openSqliteStores, type SqliteStoreSet } from '../../src/adapters/store/sqlite/index.ts';
import { coveringGrant, roleHistory } from '../../src/app/role-history.ts';
import { makeRequest } from './fixtures.ts';

/**
 * Issue 13 item 7: no decision may rest on a silently truncated query. The store clamps one page at
 * 500 rows; these put more than that in front of the row that decides.
 */
let dir: string;
let stores: SqliteStoreSet;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rolecall-paging-'));
  stores = openSqliteStores({
    dataDir: dir,
    logger: createLogger({ level: 'silent' }),
    clock: { now: () => new Date('2025-06-01T00:00:00.000Z') },
  });
});
afterEach(async () => {
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('decisions over more than one page', () => {
  it("a grant's end sees the permanent grant behind 500 later ended grants of the role", async () => {
    const permanent = makeRequest({
      state: 'applied',
      durationMs: undefined,
      appliedAt: '2025-01-01T00:00:01.000Z',
    });
    await stores.requests.create(permanent);
    for (let i = 0; i < 501; i++)
      await stores.requests.create(
        makeRequest({ state: 'revoked', grantEndsAt: '2025-01-02T00:00:00.000Z', heldBefore: true }),
      );
    const ending = makeRequest({
      state: 'applied',
      grantEndsAt: '2025-05-01T00:00:00.000Z',
      heldBefore: true,
    });
    await stores.requests.create(ending);
    const history = await roleHistory({ requests: stores.requests }, ending);
    expect(history.changes.map((r) => r.id)).toContain(permanent.id);
    // Ending the short grant must leave the permanent one's role in place.
    expect(coveringGrant(history, Date.parse('2025-06-01T00:00:00.000Z'))?.id).toBe(permanent.id);
  });
});
