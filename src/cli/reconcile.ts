import { type Command, CommanderError } from 'commander';
import { createLogger } from '../adapters/log/logger.ts';
import { openDirectories } from '../adapters/scim/index.ts';
import { openStores } from '../adapters/store/open.ts';
import { type GrantCheck, reconcileGrants } from '../app/reconcile-grants.ts';
import { loadConfig } from '../config.ts';
import { type Clock, systemClock } from '../ports/clock.ts';

export interface ReconcileCliDeps {
  env: NodeJS.ProcessEnv;
  clock: Clock;
  out?: (text: string) => void;
}

const STATUS_TEXT: Record<GrantCheck['status'], string> = {
  ok: 'ok',
  missing: 'MISSING in directory (removed outside Rolecall)',
  re_added: 'PRESENT but the grant ended (re-added outside Rolecall)',
  overdue: 'OVERDUE: end passed, not revoked yet',
};

/** Adds `rolecall reconcile`: time-bound grants in the store vs. the directory. */
export function registerReconcileCommand(
  program: Command,
  deps: ReconcileCliDeps = { env: process.env, clock: systemClock },
): void {
  program
    .command('reconcile')
    .description(
      'compare the time-bound grants the store believes in with the directory; exit 1 when drift is found ' +
        'that --fix did not repair (overdue grants are left to the bot and still count); 0 when all agree',
    )
    .option('--tenant <id>', 'only this tenant')
    .option('--fix', 'repair: grant a missing role again, remove a re-added one (audited, actor Rolecall)')
    .option('--json', 'one JSON object per grant instead of a table')
    .action(async (opts: { tenant?: string; fix?: boolean; json?: boolean }) => {
      const out = deps.out ?? ((t: string) => process.stdout.write(t));
      const config = loadConfig(deps.env);
      if (opts.tenant && !config.policy.tenants.some((t) => t.id === opts.tenant)) {
        const message = `no tenant "${opts.tenant}" in ${config.file}`;
        process.stderr.write(`rolecall: ${message}\n`);
        throw new CommanderError(2, 'rolecall.reconcile.tenant', message);
      }
      // Logs go to stderr so stdout stays the report.
      const logger = createLogger({ level: 'warn', destination: process.stderr });
      const stores = await openStores({ env: config.env, logger, clock: deps.clock });
      const directories = openDirectories({
        tenants: config.policy.tenants,
        env: deps.env,
        logger,
        clock: deps.clock,
      });
      let checks: GrantCheck[];
      try {
        checks = await reconcileGrants(
          {
            policy: config.policy,
            requests: stores.requests,
            audit: stores.audit,
            directories,
            clock: deps.clock,
            log: logger,
          },
          { ...(opts.tenant ? { tenantId: opts.tenant } : {}), fix: Boolean(opts.fix) },
        );
      } finally {
        await directories.close();
        await stores.close();
      }
      out(opts.json ? checks.map((c) => `${JSON.stringify(c)}\n`).join('') : table(checks));
      const drift = checks.filter((c) => c.status !== 'ok');
      const unrepaired = drift.filter((c) => c.fix !== 'reapplied' && c.fix !== 'removed');
      if (!opts.json)
        out(
          `${checks.length} time-bound grants checked, ${drift.length} with drift${opts.fix ? `, ${drift.length - unrepaired.length} repaired` : ''}\n`,
        );
      if (unrepaired.length)
        throw new CommanderError(1, 'rolecall.reconcile.drift', `${unrepaired.length} grants with drift`);
    });
}

function table(checks: GrantCheck[]): string {
  return checks
    .map(
      (c) =>
        `${c.tenantId}  ${c.requestId}  ${c.target}  ${c.role}  ${c.state}${c.grantEndsAt ? ` until ${c.grantEndsAt}` : ''}  ${STATUS_TEXT[c.status]}${c.fix ? `  fix: ${c.fix}` : ''}\n`,
    )
    .join('');
}
