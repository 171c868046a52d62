import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * No Docker engine runs here, so the image build is not exercised: this checks the Dockerfile's
 * structure (multi-stage, Node 24, production deps only, non-root, health check, start command)
 * and that it copies exactly what the package ships.
 */
const root = resolve(import.meta.dirname, '../..');
const text = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
// Instructions with their continuation lines joined, comments dropped.
const lines = text
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = lines.filter((l) => /^FROM /i.test(l));
const runtime = lines.slice(lines.lastIndexOf(stages.at(-1)!));

describe('Dockerfile', () => {
  it('is multi-stage on Node 24', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s).toMatch(/^FROM node:24[-.\w]* AS \w+$/);
  });

  it('installs production dependencies only, from the lockfile', () => {
    expect(lines).toContain('RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force');
    expect(runtime.some((l) => /^COPY --from=deps \/app\/node_modules/.test(l))).toBe(true);
  });

  it('runs as a non-root user, in production mode, with a health check on /healthz', () => {
    const user = runtime.filter((l) => /^USER /.test(l));
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^USER (root|0)(:|$)/);
    const cmdAt = runtime.findIndex((l) => /^CMD /.test(l));
    expect(runtime.findIndex((l) => /^USER /.test(l))).toBeLessThan(cmdAt);
    expect(runtime.some((l) => /^ENV .*NODE_ENV=production/.test(l))).toBe(true);
    expect(runtime).toContain('EXPOSE 3000');
    const health = runtime.find((l) => /^HEALTHCHECK /.test(l)) ?? '';
    expect(health).toContain('/healthz');
    expect(runtime.at(-1)).toBe('CMD ["node", "bin/rolecall.js", "start"]');
  });

  it('copies what package.json ships, and .dockerignore keeps secrets and state out', () => {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { files: string[] };
    const copied = runtime
      .filter((l) => /^COPY (?!--from)/.test(l))
      .flatMap((l) => l.split(/\s+/).slice(1, -1))
      .map((p) => p.replace(/\/$/, ''));
    for (const f of pkg.files) expect(copied).toContain(f);
    const ignore = readFileSync(resolve(root, '.dockerignore'), 'utf8').split('\n');
    for (const f of ['node_modules', 'data', '.env', '.git', 'rolecall.yml']) expect(ignore).toContain(f);
  });
});
