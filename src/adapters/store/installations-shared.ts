import { z } from 'zod';
import type { InstallationBinding, InstallationRow } from '../../ports/installations.ts';
import { corrupt } from './shared.ts';

/** What both stores persist for an installation and a binding, checked on every read. */
export const InstallationRowSchema = z.object({
  id: z.string().min(1),
  teamId: z.string().optional(),
  teamName: z.string().optional(),
  enterpriseId: z.string().optional(),
  enterpriseName: z.string().optional(),
  isEnterpriseInstall: z.boolean(),
  appId: z.string().optional(),
  botUserId: z.string().optional(),
  botId: z.string().optional(),
  scopes: z.array(z.string()),
  installerUserId: z.string().optional(),
  installedAt: z.string(),
  updatedAt: z.string(),
  tokenExpiresAt: z.string().optional(),
  status: z.enum(['active', 'uninstalled', 'revoked']),
  statusReason: z.string().optional(),
  sealed: z.string().optional(),
});

export const BindingSchema = z.object({
  installationId: z.string().min(1),
  tenantId: z.string().min(1),
  boundBy: z.string().min(1),
  at: z.string(),
});

export function readInstallation(data: unknown, id: string): InstallationRow {
  const parsed = InstallationRowSchema.safeParse(data);
  if (!parsed.success) throw corrupt('installation', id, parsed.error);
  return parsed.data as InstallationRow;
}

export function readBinding(data: unknown, id: string): InstallationBinding {
  const parsed = BindingSchema.safeParse(data);
  if (!parsed.success) throw corrupt('installation binding', id, parsed.error);
  return parsed.data;
}

/** A row without undefined fields (JSON and BSON then store the same thing). */
export function plain<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
