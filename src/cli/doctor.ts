import { join } from 'node:path';
import { type Command, CommanderError, InvalidArgumentError } from 'commander';
import { createLogger, scrubSecrets } from '../adapters/log/logger.ts';
import { openDirectories, type ScimDirectories, type ScimFinding } from '../adapters/scim/index.ts';
import { checkSlack } from '../adapters/slack/check.ts';
import { checkInstalls } from '../adapters/slack/check-installs.ts';
import { oauthSettings } from '../adapters/slack/oauth-settings.ts';
import { openStores } from '../adapters/store/open.ts';
import { DB_FILE } from '../adapters/store/sqlite/connection.ts';
import { type CheckLine, checkHealth, formatLines, runProbe } from '../app/check-health.ts';
import { type Config, type Env, loadConfig } from '../config.ts';
import { isRolecallError, RolecallError } from '../core/errors.ts';
import { systemClock } from '../ports/clock.ts';
import { approvalsCheck } from './doctor-approvals.ts';

export interface DoctorDeps {
  env: NodeJS.ProcessEnv;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 300)
    throw new InvalidArgumentError('seconds, more than 0 and at most 300');
  return n;
}

function storeName(env: Env): string {
  if (env.MONGODB_URI) return `mongodb ${scrubSecrets(env.MONGODB_URI)}`;
  return `sqlite ${join(env.ROLECALL_DATA_DIR, DB_FILE)}`;
}

/** Opens the store the bot would open, pings it, closes it; a late open (after the deadline) is closed too. */
function storeProbe(env: Env) {
  return async () => {
    const logger = createLogger({ level: 'silent' });
    const stores = await openStores({ env, logger, clock: systemClock });
    try {
      if (!(await stores.requests.ping()))
        throw new RolecallError('STORE.UNAVAILABLE', `${storeName(env)}: does not answer reads and writes`);
      return storeName(env);
    } finally {
      await stores.close();
    }
  };
}

async function diagnose(config: Config, raw: NodeJS.ProcessEnv, timeoutMs: number) {
  const logger = createLogger({ level: 'silent' });
  const directories = openDirectories({ tenants: config.policy.tenants, env: raw, logger });
  const env = config.env;
  try {
    const health = await checkHealth({
      file: config.file,
      policy: config.policy,
      directories,
      // OAuth distribution: each installation's own token instead of SLACK_BOT_TOKEN.
      slack: () => (oauthSettings(env) ? checkInstalls(raw, timeoutMs) : checkSlack(env, timeoutMs)),
      ...approvalsCheck(config, env, timeoutMs),
      ...(env.ANTHROPIC_API_KEY
        ? {
            // The Anthropic SDK (~25 MiB RSS) is loaded only for this check, never by the bot without a key.
            llm: async () =>
              (await import('../adapters/llm/check.ts')).checkModel({
                apiKey: env.ANTHROPIC_API_KEY!,
                ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
                model: env.ROLECALL_MODEL,
                timeoutMs,
              }),
          }
        : {}),
      store: storeProbe(env),
      timeoutMs,
    });
    return {
      ok: health.ok,
      lines: [...health.lines, ...(await surveys(config, directories, health.lines, timeoutMs))],
    };
  } finally {
    // The report is made: a SCIM call still hanging past its deadline is aborted, not waited for.
    await directories.destroy();
  }
}

/**
 * How each reachable tenant's SCIM server behaves (filter forms, member filters under a negative
 * control, case sensitivity, ETags, calls per grant), one line per finding saying what to do.
 * Findings never fail the run: Rolecall copes with each, at a cost the operator should know.
 */
async function surveys(
  config: Config,
  directories: ScimDirectories,
  lines: CheckLine[],
  timeoutMs: number,
): Promise<CheckLine[]> {
  const out: CheckLine[] = [];
  for (const t of config.policy.tenants) {
    const name = `scim ${t.id}`;
    if (lines.find((l) => l.name === name)?.status !== 'PASS') continue;
    const line = await runProbe(
      name,
      async () => JSON.stringify(await directories.forTenant(t.id).survey()),
      timeoutMs,
    );
    if (line.status !== 'PASS') {
      out.push({ status: 'WARN', name, detail: `behaviour not surveyed: ${line.detail}` });
      continue;
    }
    for (const f of JSON.parse(line.detail) as ScimFinding[])
      out.push({ status: f.level === 'ok' ? 'PASS' : 'WARN', name, detail: f.text });
  }
  return out;
}

/** `rolecall doctor`: PASS/FAIL/SKIP per line on stdout, exit 1 when any line is FAIL. */
export function registerDoctorCommand(program: Command, deps: DoctorDeps = { env: process.env }): void {
  program
    .command('doctor')
    .description(
      "check the config, Slack tokens, every tenant's SCIM connection and role groups, the model and the store (exit 1 on any FAIL)",
    )
    .option('--timeout <seconds>', 'deadline for each check', seconds, 10)
    .action(async (opts: { timeout: number }) => {
      let lines: CheckLine[];
      let ok: boolean;
      try {
        const config = loadConfig(deps.env);
        ({ lines, ok } = await diagnose(config, deps.env, opts.timeout * 1000));
      } catch (err) {
        if (!isRolecallError(err, 'CONFIG.INVALID')) throw err;
        // Without a valid config nothing else can be checked meaningfully.
        lines = err.message.split('\n').map((detail) => ({ status: 'FAIL', name: 'config', detail }));
        ok = false;
      }
      for (const line of formatLines(lines)) process.stdout.write(`${line}\n`);
      if (!ok) {
        const failed = lines.filter((l) => l.status === 'FAIL').length;
        process.stdout.write(`${failed} check${failed === 1 ? '' : 's'} failed\n`);
        throw new CommanderError(1, 'rolecall.doctor.failed', 'doctor found problems');
      }
    });
}
