import { userInfo } from 'node:os';
import { type Command, CommanderError, InvalidArgumentError } from 'commander';
import { createTokenCipher } from '../adapters/crypto/token-cipher.ts';
import { createLogger } from '../adapters/log/logger.ts';
import { refOf } from '../adapters/slack/oauth.ts';
import { Tenancy } from '../adapters/slack/tenancy.ts';
import { openInstallations } from '../adapters/store/installations.ts';
import { openStores, type StoreSet } from '../adapters/store/open.ts';
import { type Config, loadConfig } from '../config.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { Installations } from '../ports/installations.ts';

export interface InstallsCliDeps {
  env: NodeJS.ProcessEnv;
  clock: Clock;
}

const SLACK_ID = /^[TE][A-Z0-9]{2,}$/;

function slackId(value: string): string {
  if (!SLACK_ID.test(value)) throw new InvalidArgumentError('a Slack team id (T…) or enterprise id (E…)');
  return value;
}

function refuse(message: string): never {
  process.stderr.write(`rolecall: ${message}\n`);
  throw new CommanderError(1, 'rolecall.installs.refused', message);
}

async function withStore<T>(
  deps: InstallsCliDeps,
  fn: (c: { config: Config; stores: StoreSet; installations: Installations; tenancy: Tenancy }) => Promise<T>,
): Promise<T> {
  const config = loadConfig(deps.env);
  const stores = await openStores({
    env: config.env,
    logger: createLogger({ level: 'silent' }),
    clock: deps.clock,
  });
  try {
    const installations = await openInstallations(stores, deps.clock);
    return await fn({ config, stores, installations, tenancy: new Tenancy(config.policy, installations) });
  } finally {
    await stores.close();
  }
}

/**
 * `rolecall installs`: the Slack installations (OAuth distribution) and which tenant each serves.
 * Binding is the operator's decision, audited; the installer never chooses a tenant.
 */
export function registerInstallsCommands(
  program: Command,
  deps: InstallsCliDeps = { env: process.env, clock: systemClock },
): void {
  const installs = program
    .command('installs')
    .description('list Slack installations (OAuth distribution) and the tenant each serves');
  installs
    .command('list', { isDefault: true })
    .description('every installation: id, kind, status, tenant, dates, sealing key id')
    .action(() =>
      withStore(deps, async ({ installations, tenancy }) => {
        const rows = await installations.list();
        const bindings = await tenancy.sync();
        const keyId = (s?: string) => (s ? (s.split(':')[1] ?? '?') : '-');
        const lines = [['ID', 'KIND', 'NAME', 'STATUS', 'TENANT', 'INSTALLED', 'UPDATED', 'KEY']];
        for (const r of rows) {
          const listed = tenancy.listedTenants(refOf(r));
          const bound = bindings.filter((b) => b.installationId === r.id).map((b) => `${b.tenantId} (bound)`);
          lines.push([
            r.id,
            r.isEnterpriseInstall ? 'org-wide' : 'workspace',
            r.enterpriseName ?? r.teamName ?? '',
            r.status === 'active' ? 'active' : `${r.status} (${r.statusReason ?? ''})`,
            [...listed.map((t) => `${t} (policy)`), ...bound].join(', ') || 'UNBOUND',
            r.installedAt,
            r.updatedAt,
            keyId(r.sealed),
          ]);
        }
        const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
        for (const l of lines)
          process.stdout.write(
            `${l
              .map((c, i) => c.padEnd(widths[i]!))
              .join('  ')
              .trimEnd()}\n`,
          );
        if (rows.length === 0) process.stdout.write('no installations yet (install at /slack/install)\n');
      }),
    );
  installs
    .command('bind')
    .description("let an installation serve a tenant (audited); refused if another tenant's policy lists it")
    .argument('<installation>', 'team id (T…) or, for an org-wide install, enterprise id (E…)', slackId)
    .argument('<tenant>', 'tenant id from the policy file')
    .option('--by <name>', 'who decides (recorded in the audit log)', userInfo().username)
    .action((id: string, tenantId: string, opts: { by: string }) =>
      withStore(deps, async ({ config, stores, installations, tenancy }) => {
        if (!config.policy.tenants.some((t) => t.id === tenantId))
          refuse(`no tenant ${tenantId} in the policy file`);
        const row = await installations.get(id);
        const listed = tenancy.listedTenants(
          row ? refOf(row) : { id, isEnterpriseInstall: id.startsWith('E') },
        );
        const other = listed.find((t) => t !== tenantId);
        if (other)
          refuse(`${id} is listed under tenant ${other} in the policy file; change the file instead`);
        const at = deps.clock.now().toISOString();
        await installations.bind({ installationId: id, tenantId, boundBy: opts.by, at });
        await stores.audit.append({
          kind: 'installation_bound',
          at,
          tenantId,
          installationId: id,
          actor: { displayName: opts.by },
          note: row ? `installation ${row.status}` : 'not installed yet',
        });
        process.stdout.write(`${id} now serves tenant ${tenantId}${row ? '' : ' (once installed)'}\n`);
      }),
    );
  installs
    .command('unbind')
    .description('stop an installation serving the tenant it was bound to (audited)')
    .argument('<installation>', 'team id (T…) or enterprise id (E…)', slackId)
    .option('--by <name>', 'who decides (recorded in the audit log)', userInfo().username)
    .action((id: string, opts: { by: string }) =>
      withStore(deps, async ({ stores, installations }) => {
        const binding = (await installations.bindings()).find((b) => b.installationId === id);
        if (!binding || !(await installations.unbind(id)))
          refuse(`${id} has no binding (policy-file listings are changed in the file)`);
        await stores.audit.append({
          kind: 'installation_unbound',
          at: deps.clock.now().toISOString(),
          tenantId: binding.tenantId,
          installationId: id,
          actor: { displayName: opts.by },
        });
        process.stdout.write(`${id} no longer serves tenant ${binding.tenantId}\n`);
      }),
    );
  installs
    .command('rekey')
    .description(
      're-seal every stored token with the first key in ROLECALL_ENCRYPTION_KEY (after adding a new key)',
    )
    .action(() =>
      withStore(deps, async ({ config, installations }) => {
        const cipher = createTokenCipher(config.env.ROLECALL_ENCRYPTION_KEY);
        let n = 0;
        let skipped = 0;
        for (const r of await installations.list()) {
          if (!r.sealed || cipher.keyIdOf(r.sealed) === cipher.currentKeyId) continue;
          const sealed = cipher.seal(cipher.open(r.sealed, r.id), r.id);
          // A running bot may have just refreshed this token: never write an older one back.
          const now = await installations.get(r.id);
          if (now?.updatedAt !== r.updatedAt || now.sealed !== r.sealed) {
            skipped += 1;
            continue;
          }
          await installations.put({ ...r, sealed });
          n += 1;
        }
        process.stdout.write(
          `re-sealed ${n} installation${n === 1 ? '' : 's'} with key ${cipher.currentKeyId}\n`,
        );
        if (skipped) process.stdout.write(`${skipped} changed while re-sealing; run rekey again\n`);
      }),
    );
}
