import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { createMetrics } from '../../src/adapters/metrics/metrics.ts';
import { openSqliteStores } from '../../src/adapters/store/sqlite/index.ts';
import { makeRequest } from '../store/fixtures.ts';

/** The store-backed gauges against a real SQLite store with more rows than one page. */
const dir = mkdtempSync(join(tmpdir(), 'rolecall-gauges-'));
const stores = openSqliteStores({
  dataDir: dir,
  logger: createLogger({ level: 'silent' }),
  clock: { now: () => new Date('2026-01-01T00:00:00Z') },
});

beforeAll(async () => {
  // 520 permanent grants (newer than everything else), 3 time-bound ones, 2 pending approvals.
  for (let i = 0; i < 3; i++)
    await stores.requests.create(
      makeRequest({ state: 'applied', grantEndsAt: `2026-02-0${i + 1}T00:00:00.000Z` }),
    );
  for (let i = 0; i < 2; i++) await stores.requests.create(makeRequest({ state: 'awaiting_approval' }));
  for (let i = 0; i < 520; i++)
    await stores.requests.create(makeRequest({ state: 'applied', durationMs: undefined }));
});
afterAll(async () => {
  await stores.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('store-backed gauges', () => {
  it('count time-bound grants even when permanent grants fill more than a page', async () => {
    const m = createMetrics({ requests: stores.requests, defaultMetrics: false });
    const text = await m.registry.metrics();
    expect(text).toMatch(/^rolecall_active_timebound_grants 3$/m);
    expect(text).toMatch(/^rolecall_pending_approvals 2$/m);
  });

  it('count past one page, and read no request records to do it (issue 13)', async () => {
    for (let i = 0; i < 600; i++) await stores.requests.create(makeRequest({ state: 'awaiting_approval' }));
    let parsed = 0;
    const counting = new Proxy(stores.requests, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === 'find')
          return async (...args: Parameters<typeof target.find>) => {
            const rows = await target.find(...args);
            parsed += rows.length;
            return rows;
          };
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const m = createMetrics({ requests: counting, defaultMetrics: false });
    const text = await m.registry.metrics();
    expect(text).toMatch(/^rolecall_pending_approvals 602$/m);
    expect(text).toMatch(/^rolecall_active_timebound_grants 3$/m);
    expect(parsed).toBe(0);
  });

  it('keep /metrics answering when the store is gone', async () => {
    const m = createMetrics({ requests: stores.requests, defaultMetrics: false });
    await m.registry.metrics();
    await stores.close();
    const text = await m.registry.metrics();
    expect(text).toMatch(/^rolecall_active_timebound_grants 3$/m);
  });
});
