import { describe, expect, it } from 'vitest';
import type { InstallationRow, Installations } from '../../src/ports/installations.ts';

export const row = (id: string, extra: Partial<InstallationRow> = {}): InstallationRow => ({
  id,
  teamId: id,
  isEnterpriseInstall: false,
  botUserId: `UB${id}`,
  scopes: ['chat:write'],
  installerUserId: 'U1',
  installedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  status: 'active',
  sealed: 'rc1:k1:iv:tag:ct',
  ...extra,
});

/** The Installations port's contract, run against every store. */
export function installationsContract(
  name: string,
  open: () => Promise<{ store: Installations; reopen(): Promise<Installations> }>,
) {
  describe(`installations (${name})`, () => {
    it('puts, replaces, lists and reads back rows (after a reopen too)', async () => {
      const { store, reopen } = await open();
      await store.put(row('T1'));
      await store.put(row('E1', { teamId: undefined, enterpriseId: 'E1', isEnterpriseInstall: true }));
      await store.put(row('T1', { scopes: ['chat:write', 'commands'] }));
      const again = await reopen();
      expect((await again.get('T1'))?.scopes).toEqual(['chat:write', 'commands']);
      expect((await again.get('E1'))?.isEnterpriseInstall).toBe(true);
      expect((await again.list()).map((r) => r.id)).toEqual(['E1', 'T1']);
      expect(await again.get('T9')).toBeUndefined();
    });

    it('disable drops the sealed token and records why', async () => {
      const { store } = await open();
      await store.put(row('T2'));
      expect(await store.disable('T2', 'uninstalled', '2026-02-01T00:00:00.000Z', 'app_uninstalled')).toBe(
        true,
      );
      const r = await store.get('T2');
      expect(r).toMatchObject({
        status: 'uninstalled',
        statusReason: 'app_uninstalled',
        updatedAt: '2026-02-01T00:00:00.000Z',
      });
      expect(r?.sealed).toBeUndefined();
      expect(await store.disable('T404', 'revoked', '2026-02-01T00:00:00.000Z', 'x')).toBe(false);
      // A re-install makes it active again.
      await store.put(row('T2'));
      expect((await store.get('T2'))?.status).toBe('active');
    });

    it('binds one tenant per installation, rebinding replaces, unbind removes', async () => {
      const { store } = await open();
      await store.bind({ installationId: 'T3', tenantId: 'acme', boundBy: 'ops', at: 'x' });
      await store.bind({ installationId: 'T3', tenantId: 'beta', boundBy: 'ops', at: 'y' });
      await store.bind({ installationId: 'T4', tenantId: 'acme', boundBy: 'ops', at: 'z' });
      expect((await store.bindings()).filter((b) => b.installationId.startsWith('T'))).toEqual([
        { installationId: 'T3', tenantId: 'beta', boundBy: 'ops', at: 'y' },
        { installationId: 'T4', tenantId: 'acme', boundBy: 'ops', at: 'z' },
      ]);
      expect(await store.unbind('T3')).toBe(true);
      expect(await store.unbind('T3')).toBe(false);
      expect((await store.bindings()).map((b) => b.installationId)).toEqual(['T4']);
    });
  });
}
