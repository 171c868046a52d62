import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { banner } from '../../src/playground/index.ts';
import { startClient } from './helpers.ts';

/** Issue 16: the banner says where the store is; `--keep` keeps it after stopping. */
describe('playground store', () => {
  it('is deleted on stop by default, and the banner says where it is and how to keep it', async () => {
    const c = await startClient();
    const text = banner(c.p, 'demo');
    expect(text).toContain(`Store:     ${c.p.storePath}, deleted when you stop`);
    expect(text).toContain('--keep');
    expect(existsSync(c.p.storePath)).toBe(true);
    await c.p.stop();
    expect(existsSync(c.p.storePath)).toBe(false);
  });

  it('is kept with keep, requests and audit records included', async () => {
    const { startPlayground } = await import('../../src/playground/index.ts');
    const { createLogger } = await import('../../src/adapters/log/logger.ts');
    const p = await startPlayground({
      env: { ROLECALL_CONFIG: '/nonexistent/rolecall.yml', LOG_LEVEL: 'silent' },
      port: 0,
      keep: true,
      logger: createLogger({ level: 'silent' }),
      schedulerIntervalMs: 3_600_000,
    });
    try {
      expect(banner(p, 'demo')).toContain(`Store:     ${p.storePath} (kept when you stop: --keep)`);
      await p.stop();
      expect(existsSync(p.storePath)).toBe(true);
    } finally {
      rmSync(dirname(p.storePath), { recursive: true, force: true });
    }
  });
});
