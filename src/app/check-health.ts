import { errorCode } from '../core/errors.ts';
import type { PolicyFile, Tenant } from '../core/policy-schema.ts';
import type { Directories } from '../ports/directory.ts';

/**
 * `rolecall doctor`: one line per dependency the bot needs (Slack, each tenant's directory, the
 * model, the store), each bounded by a deadline so one hung peer cannot hide the others. Probes
 * for Slack and the model come from their adapters; this file only decides what PASS means.
 */
/** WARN: works, with a caveat the operator should act on (never fails the run). */
export type CheckStatus = 'PASS' | 'FAIL' | 'SKIP' | 'WARN';

export interface CheckLine {
  status: CheckStatus;
  /** `config`, `slack`, `scim acme`, `llm`, `store`. */
  name: string;
  detail: string;
}

/** A probe answers with a detail for the PASS line, or throws (a RolecallError's code is shown). */
export type Probe = () => Promise<string>;

export interface HealthDeps {
  file: string;
  policy: PolicyFile;
  directories: Directories;
  slack: Probe;
  /** Whether the bot can post in every approval channel (an `approvals` line). */
  approvals?: Probe;
  /** Undefined when no model is configured: the offline parser answers (SKIP, not FAIL). */
  llm?: Probe;
  /** Opens (if need be) and pings the store; answers e.g. `sqlite ./data/rolecall.sqlite`. */
  store: Probe;
  timeoutMs: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function configLine(file: string, policy: PolicyFile): CheckLine {
  const roles = policy.tenants.reduce((n, t) => n + Object.keys(t.roles).length, 0);
  return {
    status: 'PASS',
    name: 'config',
    detail: `${file}: ${plural(policy.tenants.length, 'tenant')}, ${plural(roles, 'role')}`,
  };
}

function scimDetail(t: Tenant): string {
  const base = `${t.scim.baseUrl} reachable`;
  if (t.scim.roleModel !== 'groups') return `${base}, ${t.scim.roleModel} model`;
  const groups = Object.values(t.roles).map((d) => d.group ?? d.groupId ?? '?');
  return `${base}, groups ${groups.join(', ')} exist`;
}

/** Never rejects: a timeout or a fault becomes a FAIL line naming it. */
export async function runProbe(name: string, probe: Probe, timeoutMs: number): Promise<CheckLine> {
  const signal = AbortSignal.timeout(timeoutMs);
  const deadline = new Promise<never>((_, reject) => {
    signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), {
      once: true,
    });
  });
  try {
    return { status: 'PASS', name, detail: await Promise.race([probe(), deadline]) };
  } catch (err) {
    const code = errorCode(err);
    const message = err instanceof Error ? err.message : String(err);
    const detail = code === 'INTERNAL' || message.includes(code) ? message : `${code}: ${message}`;
    return { status: 'FAIL', name, detail: detail.split('\n')[0]! };
  }
}

/** Runs every check at once; lines come back in a fixed order (config, slack, scim…, llm, store). */
export async function checkHealth(deps: HealthDeps): Promise<{ ok: boolean; lines: CheckLine[] }> {
  const scim = deps.policy.tenants.map((t) =>
    runProbe(
      `scim ${t.id}`,
      async () => {
        const r = await deps.directories.forTenant(t.id).check();
        if (!r.ok) throw new Error(r.problems.join('; '));
        return scimDetail(t);
      },
      deps.timeoutMs,
    ),
  );
  const llm: Promise<CheckLine> = deps.llm
    ? runProbe('llm', deps.llm, deps.timeoutMs)
    : Promise.resolve({ status: 'SKIP', name: 'llm', detail: 'no ANTHROPIC_API_KEY: offline parser' });
  const store = runProbe('store', deps.store, deps.timeoutMs);
  const lines = [
    configLine(deps.file, deps.policy),
    await runProbe('slack', deps.slack, deps.timeoutMs),
    ...(deps.approvals ? [await runProbe('approvals', deps.approvals, deps.timeoutMs)] : []),
    ...(await Promise.all(scim)),
    await llm,
    await store,
  ];
  return { ok: lines.every((l) => l.status !== 'FAIL'), lines };
}

export function formatLines(lines: CheckLine[]): string[] {
  const width = Math.max(...lines.map((l) => l.name.length));
  return lines.map((l) => `${l.status} ${l.name.padEnd(width)}  ${l.detail}`);
}
