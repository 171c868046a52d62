/**
 * Installations: one row per Slack installation of Rolecall (a workspace, or an Enterprise Grid org
 * for an org-wide install), and the operator's bindings of installations to tenants.
 *
 * Contract:
 * - `id` is the enterprise id for an org-wide install, the team id otherwise.
 * - `sealed` is opaque to the store (encrypted token material, see adapters/crypto); the store never
 *   sees a token in the clear.
 * - `put` inserts or replaces by id (a re-install makes the row active again).
 * - `disable` sets status and drops `sealed` in one write; it answers false for an unknown id.
 * - A binding names one tenant per installation; `bind` replaces an earlier one.
 * - Failures throw `STORE.UNAVAILABLE`; unreadable rows `STORE.CORRUPT`.
 */
export type InstallationStatus = 'active' | 'uninstalled' | 'revoked';

export interface InstallationRow {
  id: string;
  teamId?: string;
  teamName?: string;
  enterpriseId?: string;
  enterpriseName?: string;
  isEnterpriseInstall: boolean;
  appId?: string;
  botUserId?: string;
  botId?: string;
  scopes: string[];
  installerUserId?: string;
  installedAt: string;
  updatedAt: string;
  /** When the bot token expires (token rotation on), ISO instant. */
  tokenExpiresAt?: string;
  status: InstallationStatus;
  /** Why it is not active, e.g. `app_uninstalled`. */
  statusReason?: string;
  sealed?: string;
}

export interface InstallationBinding {
  installationId: string;
  tenantId: string;
  /** Who bound it (the operator's name as given to the CLI). */
  boundBy: string;
  at: string;
}

export interface Installations {
  put(row: InstallationRow): Promise<void>;
  get(id: string): Promise<InstallationRow | undefined>;
  list(): Promise<InstallationRow[]>;
  disable(
    id: string,
    status: Exclude<InstallationStatus, 'active'>,
    at: string,
    reason: string,
  ): Promise<boolean>;
  bind(binding: InstallationBinding): Promise<void>;
  unbind(installationId: string): Promise<boolean>;
  bindings(): Promise<InstallationBinding[]>;
}
