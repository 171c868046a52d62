import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import type { InstallationRow, Installations } from '../../ports/installations.ts';
import type { TokenCipher } from '../crypto/token-cipher.ts';
import type { Logger } from '../log/logger.ts';

export const idOf = (q: {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall?: boolean;
}) => (q.isEnterpriseInstall ? q.enterpriseId : q.teamId);

/** What is sealed: the bot token and, with token rotation, its refresh token. */
interface Secret {
  t: string;
  r?: string;
}

export interface SealedStoreDeps {
  installations: Installations;
  cipher: TokenCipher;
  log: Logger;
  /** The bot scopes Rolecall needs (an install granted fewer is logged). */
  scopes: string[];
  now(): string;
}

/**
 * Bolt's InstallationStore over the Installations port: rows keep the installation's facts in the
 * clear and its tokens sealed (token-cipher.ts), opened only to answer authorize(). A missing,
 * uninstalled or revoked installation is an error, which Bolt turns into "ack and ignore".
 */
export function sealedInstallationStore(deps: SealedStoreDeps): InstallationStore {
  return {
    async storeInstallation(inst) {
      const i = inst as Installation<'v2', boolean>;
      const id = idOf({
        teamId: i.team?.id,
        enterpriseId: i.enterprise?.id,
        isEnterpriseInstall: Boolean(i.isEnterpriseInstall),
      });
      if (!id || !i.bot?.token) throw new Error('installation without a workspace/org id or a bot token');
      const previous = await deps.installations.get(id);
      const secret: Secret = { t: i.bot.token, ...(i.bot.refreshToken ? { r: i.bot.refreshToken } : {}) };
      const at = deps.now();
      const row: InstallationRow = {
        id,
        ...(i.team?.id ? { teamId: i.team.id } : {}),
        ...(i.team?.name ? { teamName: i.team.name } : {}),
        ...(i.enterprise?.id ? { enterpriseId: i.enterprise.id } : {}),
        ...(i.enterprise?.name ? { enterpriseName: i.enterprise.name } : {}),
        isEnterpriseInstall: Boolean(i.isEnterpriseInstall),
        ...(i.appId ? { appId: i.appId } : {}),
        botUserId: i.bot.userId,
        ...(i.bot.id ? { botId: i.bot.id } : {}),
        scopes: i.bot.scopes,
        ...(i.user?.id ? { installerUserId: i.user.id } : {}),
        installedAt: previous?.status === 'active' ? previous.installedAt : at,
        updatedAt: at,
        ...(i.bot.expiresAt ? { tokenExpiresAt: new Date(i.bot.expiresAt * 1000).toISOString() } : {}),
        status: 'active',
        sealed: deps.cipher.seal(JSON.stringify(secret), id),
      };
      await deps.installations.put(row);
      const missing = deps.scopes.filter((s) => !row.scopes.includes(s));
      if (missing.length)
        deps.log.warn({ installation: id, missing }, 'installed without some bot scopes Rolecall needs');
    },
    async fetchInstallation(query) {
      const id = idOf(query);
      const row = id ? await deps.installations.get(id) : undefined;
      if (row?.status !== 'active' || !row.sealed)
        throw new Error(`no active installation for ${id ?? 'this event'}`);
      const secret = JSON.parse(deps.cipher.open(row.sealed, row.id)) as Secret;
      return {
        team: row.isEnterpriseInstall || !row.teamId ? undefined : { id: row.teamId, name: row.teamName },
        enterprise: row.enterpriseId ? { id: row.enterpriseId, name: row.enterpriseName } : undefined,
        user: { id: row.installerUserId ?? '', token: undefined, scopes: undefined },
        bot: {
          token: secret.t,
          ...(secret.r ? { refreshToken: secret.r } : {}),
          ...(row.tokenExpiresAt ? { expiresAt: Math.floor(Date.parse(row.tokenExpiresAt) / 1000) } : {}),
          scopes: row.scopes,
          id: row.botId ?? '',
          userId: row.botUserId ?? '',
        },
        isEnterpriseInstall: row.isEnterpriseInstall,
        ...(row.appId ? { appId: row.appId } : {}),
        tokenType: 'bot',
        authVersion: 'v2',
      } as Installation<'v2', boolean>;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      const id = idOf(query);
      if (id) await deps.installations.disable(id, 'uninstalled', deps.now(), 'deleted');
    },
  };
}
