import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/adapters/crypto/token-cipher.ts';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { openInstallations } from '../../src/adapters/store/installations.ts';
import { openStores } from '../../src/adapters/store/open.ts';
import { row } from '../oauth/installations-contract.ts';
import { runCli } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'rolecall-cli-installs-'));
const k1 = `k1:${randomBytes(32).toString('base64')}`;
const k2 = `k2:${randomBytes(32).toString('base64')}`;
const KEYS = [
  'ROLECALL_DATA_DIR',
  'ROLECALL_CONFIG',
  'MONGODB_URI',
  'ROLECALL_ENCRYPTION_KEY',
  'CLI_SCIM',
] as const;
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
const open = async () => {
  const stores = await openStores({
    env: { ROLECALL_DATA_DIR: join(dir, 'data') },
    logger: createLogger({ level: 'silent' }),
    clock: { now: () => new Date() },
  });
  return { stores, installations: await openInstallations(stores, { now: () => new Date() }) };
};

beforeAll(async () => {
  writeFileSync(
    join(dir, 'rolecall.yml'),
    `tenants:
  - id: acme
    slack: { teams: [T0ACME] }
    scim: { baseUrl: "https://scim.example/v2", tokenEnv: CLI_SCIM }
    roles: { viewer: { group: Viewers } }
    rules: []
  - id: beta
    slack: { teams: [T0BETA] }
    scim: { baseUrl: "https://scim.example/v2", tokenEnv: CLI_SCIM }
    roles: { viewer: { group: Viewers } }
    rules: []
`,
  );
  Object.assign(process.env, {
    ROLECALL_DATA_DIR: join(dir, 'data'),
    ROLECALL_CONFIG: join(dir, 'rolecall.yml'),
    ROLECALL_ENCRYPTION_KEY: k1,
    CLI_SCIM: 'x',
  });
  delete process.env.MONGODB_URI;
  const { stores, installations } = await open();
  const c = createTokenCipher(k1);
  await installations.put(row('T0ACME', { teamName: 'Acme', sealed: c.seal('{"t":"xoxb-acme"}', 'T0ACME') }));
  await installations.put(row('T0NEW', { teamName: 'Newco', sealed: c.seal('{"t":"xoxb-new"}', 'T0NEW') }));
  await stores.close();
});
afterAll(() => {
  for (const k of KEYS)
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  rmSync(dir, { recursive: true, force: true });
});

describe('rolecall installs', () => {
  it('lists installations with their tenant, or UNBOUND', async () => {
    const r = await runCli(['installs', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/T0ACME\s+workspace\s+Acme\s+active\s+acme \(policy\)/);
    expect(r.stdout).toMatch(/T0NEW\s+workspace\s+Newco\s+active\s+UNBOUND/);
    expect(r.stdout).not.toContain('xoxb');
  });

  it('binds and unbinds with an audit record; refuses a team another tenant lists, and unknown tenants', async () => {
    expect((await runCli(['installs', 'bind', 'T0NEW', 'acme', '--by', 'ops-olga'])).code).toBe(0);
    expect((await runCli(['installs', 'list'])).stdout).toMatch(/T0NEW .*acme \(bound\)/);
    const taken = await runCli(['installs', 'bind', 'T0BETA', 'acme']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('listed under tenant beta');
    expect((await runCli(['installs', 'bind', 'T0NEW', 'nope'])).code).toBe(1);
    expect((await runCli(['installs', 'bind', 'not-an-id', 'acme'])).code).not.toBe(0);
    expect((await runCli(['installs', 'unbind', 'T0NEW', '--by', 'ops-olga'])).code).toBe(0);
    expect((await runCli(['installs', 'unbind', 'T0NEW'])).code).toBe(1);
    const { stores } = await open();
    const audit = await stores.audit.query({ kinds: ['installation_bound', 'installation_unbound'] });
    await stores.close();
    expect(audit.map((a) => [a.kind, a.tenantId, a.actor?.displayName])).toEqual([
      ['installation_bound', 'acme', 'ops-olga'],
      ['installation_unbound', 'acme', 'ops-olga'],
    ]);
  });

  it('rekey re-seals every token with the new first key; the old key is then not needed', async () => {
    process.env.ROLECALL_ENCRYPTION_KEY = `${k2},${k1}`;
    const r = await runCli(['installs', 'rekey']);
    expect(r.stdout).toContain('re-sealed 2 installations with key k2');
    const { stores, installations } = await open();
    const acme = await installations.get('T0ACME');
    await stores.close();
    expect(createTokenCipher(k2).open(acme!.sealed!, 'T0ACME')).toBe('{"t":"xoxb-acme"}');
    expect((await runCli(['installs', 'rekey'])).stdout).toContain('re-sealed 0 installations');
  });
});
