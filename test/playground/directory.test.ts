import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { createScimDirectory } from '../../src/adapters/scim/index.ts';
import { Tenant } from '../../src/core/policy-schema.ts';
import { type PlaygroundDirectory, startPlaygroundDirectory } from '../../src/playground/directory.ts';

/**
 * The playground's minimal directory, through Rolecall's own SCIM client: what the playground needs
 * (find people, read and change roles with ETags), and a token, and nothing kept per request.
 */
let d: PlaygroundDirectory | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

const tenant = (baseUrl: string, roleModel: 'groups' | 'roles') =>
  Tenant.parse({
    id: 'acme',
    slack: { teams: ['T0001'] },
    scim: { baseUrl, tokenEnv: 'PLAYGROUND_TOKEN', roleModel },
    roles: roleModel === 'groups' ? { editor: { group: 'Editors' } } : { editor: { value: 'editor' } },
  });

describe('the playground directory', () => {
  it.each(['groups', 'roles'] as const)('serves lookups, grants and revokes (%s model)', async (model) => {
    d = await startPlaygroundDirectory({ token: 'tok' });
    const dana = d.state.addUser({ userName: 'dana', emails: ['dana@example.com'] });
    d.state.addGroup({ displayName: 'Editors' });
    const dir = createScimDirectory({
      tenant: tenant(d.baseUrl, model),
      env: { PLAYGROUND_TOKEN: 'tok' },
      logger: createLogger({ level: 'silent' }),
    });
    try {
      expect((await dir.findUserByEmail('dana@example.com'))?.id).toBe(dana.id);
      expect((await dir.grant(dana.id, 'editor')).after).toContain('editor');
      expect(await dir.getRoles(dana.id)).toEqual(['editor']);
      expect((await dir.revoke(dana.id, 'editor')).after).not.toContain('editor');
    } finally {
      await dir.close();
    }
  });

  it('refuses requests without its token', async () => {
    d = await startPlaygroundDirectory({ token: 'tok' });
    expect((await fetch(`${d.baseUrl}/Users`)).status).toBe(401);
    expect((await fetch(`${d.baseUrl}/Users`, { headers: { authorization: 'Bearer tok' } })).status).toBe(
      200,
    );
  });
});
