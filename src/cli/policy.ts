import { type Command, CommanderError, InvalidArgumentError } from 'commander';
import { createLogger } from '../adapters/log/logger.ts';
import { openDirectories } from '../adapters/scim/index.ts';
import { loadPolicyFile } from '../config.ts';
import type { Decision } from '../core/decision.ts';
import { formatDuration, parseDurationSpec } from '../core/duration.ts';
import { isRolecallError } from '../core/errors.ts';
import { type Explanation, explain, type PolicyInput, roleLevels, ruleId } from '../core/policy.ts';
import type { PolicyFile, Tenant } from '../core/policy-schema.ts';
import { directoryInput } from './policy-directory.ts';
import { stuckWarnings } from './policy-warnings.ts';

/**
 * `rolecall policy check` and `rolecall policy explain`: the same parser and the same evaluate()
 * the bot uses, so what they say is what the bot will do. Failures exit 1 by throwing a
 * CommanderError, which main() turns into its return code.
 */
const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

function fail(message?: string): never {
  if (message) err(`rolecall: ${message}`);
  throw new CommanderError(1, 'rolecall.policy.failed', message ?? 'policy check failed');
}

const defaultFile = () => process.env.ROLECALL_CONFIG?.trim() || './rolecall.yml';

/** Parses the file or prints every problem (`file: key.path: message`), one per line, and fails. */
function load(file: string): PolicyFile {
  try {
    return loadPolicyFile(file);
  } catch (e) {
    if (!isRolecallError(e, 'CONFIG.INVALID')) throw e;
    const lines = e.message.split('\n');
    for (const line of lines) err(line);
    return fail(`${lines.length} problem${lines.length === 1 ? '' : 's'} found`);
  }
}

/** Legal but probably not what was meant; printed by `check`, never fatal. */
export function policyWarnings(policy: PolicyFile): string[] {
  const warnings: string[] = [];
  for (const t of policy.tenants) {
    const levels = roleLevels(t);
    const ids = t.rules.map(ruleId);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        warnings.push(
          `tenant ${t.id}: rule id "${id}" is used twice: decisions and audit records will be ambiguous`,
        );
    });
    t.rules.forEach((rule, i) => {
      if (rule.approval === 'none') return;
      const lowest = Math.min(...rule.approval.by.map((r) => levels.get(r) ?? -Infinity));
      const above = rule.roles.filter((r) => (levels.get(r) ?? -Infinity) > lowest);
      if (above.length && !rule.allowAboveOwnLevel)
        warnings.push(
          `tenant ${t.id}: ${ids[i]}: approvers [${rule.approval.by.join(', ')}] include a role ranking below ` +
            `[${above.join(', ')}]; requesters below that level are denied (above_own_role)`,
        );
    });
    warnings.push(...stuckWarnings(t));
  }
  return warnings;
}

function summary(t: Tenant): string {
  const roles = Object.entries(t.roles);
  const protectedCount = roles.filter(([, d]) => d.protected).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return (
    `  ${t.id}${t.name ? ` (${t.name})` : ''}: ${plural(roles.length, 'role')} (${protectedCount} protected), ` +
    `${plural(t.rules.length, 'rule')}, admin roles: ${t.adminRoles.join(', ') || '(none)'}`
  );
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function duration(value: string): number {
  const ms = parseDurationSpec(value);
  if (ms === undefined) throw new InvalidArgumentError('a duration such as 15m, 8h or 2d');
  return ms;
}

function oneOf<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value))
      throw new InvalidArgumentError(`use one of ${values.join(', ')}`);
    return value as T;
  };
}

interface ExplainOptions {
  file?: string;
  tenant?: string;
  requester?: string;
  requesterRoles?: string[];
  role: string;
  action: 'grant' | 'revoke';
  /** self, other, or a target's email (looked up with --requester). */
  target: string;
  targetRoles?: string[];
  duration?: number;
  operator?: boolean;
}

export function describeDecision(d: Decision): string {
  const timing =
    d.kind !== 'deny' && d.durationMs !== undefined
      ? `, for ${formatDuration(d.durationMs)}${d.capped ? ' (capped)' : ''}`
      : '';
  switch (d.kind) {
    case 'allow':
      return `allow by ${d.ruleId}${timing}`;
    case 'needs_approval':
      return `needs approval by ${d.ruleId}: ${d.count} distinct approver${d.count === 1 ? '' : 's'} holding ${d.approverRoles.join(' or ')}${timing}`;
    case 'deny':
      return `deny (${d.reason})${d.ruleId ? ` by ${d.ruleId}` : ''}${d.detail ? `: ${d.detail}` : ''}`;
  }
}

function printExplanation(e: Explanation): void {
  out(`decision: ${describeDecision(e.decision)}`);
  if (e.gate) out(`refused before any rule was considered (${e.gate})`);
  const width = Math.max(0, ...e.rules.map((r) => r.ruleId.length));
  for (const r of e.rules) {
    const head = `  ${r.ruleId.padEnd(width)}  `;
    if (!r.matched) out(`${head}no match: ${r.why.join('; ')}`);
    else
      out(`${head}matches → ${describeDecision(r.decision!)}${r.why.length ? ` [${r.why.join('; ')}]` : ''}`);
  }
  if (!e.gate && e.rules.length === 0) out('  (the tenant has no rules: everything is denied)');
}

/** `--requester EMAIL`: the roles come from the tenant's directory, read now. */
async function explainFromDirectory(tenant: Tenant, opts: ExplainOptions): Promise<void> {
  if (opts.operator)
    fail('--operator cannot be combined with --requester (operators are not in the directory)');
  const logger = createLogger({ level: 'silent' });
  const directories = openDirectories({ tenants: [tenant], env: process.env, logger });
  try {
    const built = await directoryInput(
      tenant,
      directories.forTenant(tenant.id),
      {
        requester: opts.requester!,
        target: opts.target,
        ...(opts.targetRoles ? { targetRoles: opts.targetRoles } : {}),
      },
      { action: opts.action, role: opts.role, durationMs: opts.duration },
    );
    if (!built.ok) fail(built.message);
    for (const line of built.lines) out(line);
    const whom = built.input.target.isRequester
      ? 'themselves'
      : opts.target.includes('@')
        ? opts.target
        : 'someone else';
    const span = opts.duration === undefined ? '' : ` for ${formatDuration(opts.duration)}`;
    out(`tenant ${tenant.id}: ${opts.requester} asks to ${opts.action} ${opts.role} for ${whom}${span}`);
    printExplanation(explain(tenant, built.input));
  } finally {
    await directories.close();
  }
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('validate the policy file and explain its decisions');

  policy
    .command('check')
    .description('validate a policy file; print every problem with its key path (exit 1 if any)')
    .argument('[file]', 'the policy file (default: $ROLECALL_CONFIG or ./rolecall.yml)')
    .action((file: string | undefined) => {
      const path = file ?? defaultFile();
      const parsed = load(path);
      for (const w of policyWarnings(parsed)) err(`warning: ${w}`);
      const n = parsed.tenants.length;
      out(`ok: ${path}: ${n} tenant${n === 1 ? '' : 's'}`);
      for (const t of parsed.tenants) out(summary(t));
    });

  policy
    .command('explain')
    .description('show which rule decides a request, and why the others do not')
    .requiredOption('--role <role>', 'the catalogue role asked for')
    .option('--tenant <id>', 'tenant id (default: the only tenant)')
    .option('--requester <email>', "look the requester up in the tenant's SCIM directory and use their roles")
    .option(
      '--requester-roles <roles>',
      'comma-separated roles the requester holds (instead of --requester)',
      list,
    )
    .option('--action <action>', 'grant or revoke', oneOf(['grant', 'revoke'] as const), 'grant' as const)
    .option('--target <who>', "self, other, or (with --requester) the target's email", 'other')
    .option(
      '--target-roles <roles>',
      "comma-separated roles the target holds (default: none; the requester's for self)",
      list,
    )
    .option('--duration <d>', 'requested length of the grant, e.g. 2h', duration)
    .option('--operator', 'the request is relayed by a vendor support rep')
    .option('--file <file>', 'the policy file (default: $ROLECALL_CONFIG or ./rolecall.yml)')
    .action(async (opts: ExplainOptions) => {
      const parsed = load(opts.file ?? defaultFile());
      const ids = parsed.tenants.map((t) => t.id);
      const tenant = opts.tenant
        ? parsed.tenants.find((t) => t.id === opts.tenant)
        : parsed.tenants.length === 1
          ? parsed.tenants[0]
          : undefined;
      if (!tenant)
        fail(
          opts.tenant
            ? `no tenant "${opts.tenant}"; tenants: ${ids.join(', ')}`
            : `choose one with --tenant: ${ids.join(', ')}`,
        );
      if (opts.requester !== undefined && opts.requesterRoles !== undefined)
        fail('give --requester or --requester-roles, not both');
      const email = opts.target.includes('@');
      if (!['self', 'other'].includes(opts.target) && !email)
        fail(`--target: use self, other or an email (got "${opts.target}")`);
      if (email && opts.requester === undefined) fail('--target EMAIL needs --requester EMAIL');
      if (opts.requester !== undefined) {
        await explainFromDirectory(tenant, opts);
        return;
      }
      const requesterRoles = opts.requesterRoles ?? [];
      const unknown = [...requesterRoles, ...(opts.targetRoles ?? [])].filter(
        (r) => !Object.hasOwn(tenant.roles, r),
      );
      if (unknown.length)
        fail(
          `unknown role${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; tenant ${tenant.id} has: ${Object.keys(tenant.roles).join(', ')}`,
        );
      const self = opts.target === 'self';
      const input: PolicyInput = {
        requester: {
          roles: requesterRoles,
          active: true,
          known: true,
          isOperator: opts.operator === true,
        },
        action: opts.action,
        target: {
          isRequester: self,
          roles: opts.targetRoles ?? (self ? requesterRoles : []),
          known: true,
        },
        role: opts.role,
        ...(opts.duration === undefined ? {} : { durationMs: opts.duration }),
      };
      const who = opts.operator
        ? 'a vendor operator'
        : `a holder of [${requesterRoles.join(', ') || 'no role'}]`;
      const span = opts.duration === undefined ? '' : ` for ${formatDuration(opts.duration)}`;
      out(
        `tenant ${tenant.id}: ${who} asks to ${opts.action} ${opts.role} ${self ? 'for themselves' : 'for someone else'}${span}`,
      );
      printExplanation(explain(tenant, input));
    });
}
