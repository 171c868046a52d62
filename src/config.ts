import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { RolecallError } from './core/errors.ts';
import { PolicyFile } from './core/policy-schema.ts';

/**
 * One schema over the environment and rolecall.yml. The file never holds secrets: it names the
 * environment variables that do (`tokenEnv`), and `secret()` reads them at the moment of use.
 */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

export const Env = z.object({
  ROLECALL_CONFIG: z.string().default('./rolecall.yml'),
  ROLECALL_DATA_DIR: z.string().default('./data'),
  MONGODB_URI: optionalString.pipe(
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// or mongodb+srv:// URI')
      .optional(),
  ),
  SLACK_BOT_TOKEN: optionalString.pipe(
    z.string().startsWith('xoxb-', 'a bot token starting with xoxb-').optional(),
  ),
  SLACK_APP_TOKEN: optionalString.pipe(
    z.string().startsWith('xapp-', 'an app-level token starting with xapp-').optional(),
  ),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_API_URL: optionalString.pipe(z.url().optional()),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Bearer token for GET /metrics and /readyz; unset: served to loopback callers only. */
  ROLECALL_OPS_TOKEN: optionalString.pipe(z.string().min(16, 'at least 16 characters').optional()),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalString.pipe(z.url().optional()),
  ROLECALL_MODEL: z.string().default('claude-sonnet-4-5'),
  ROLECALL_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `id=secret[,id=secret…]`: the first seals the audit chain, all verify (README: Security). */
  ROLECALL_AUDIT_KEYS: optionalString,
  /** Append-only file for audit checkpoints; default <data dir>/audit-checkpoints.jsonl on SQLite. */
  ROLECALL_AUDIT_CHECKPOINTS: optionalString,
  /** `production` makes ROLECALL_AUDIT_KEYS required. */
  NODE_ENV: optionalString,
  // OAuth distribution (issue 17): all three on, or none (single-token mode).
  SLACK_CLIENT_ID: optionalString,
  SLACK_CLIENT_SECRET: optionalString,
  SLACK_STATE_SECRET: optionalString,
  SLACK_REDIRECT_URI: optionalString.pipe(z.url().optional()),
  ROLECALL_ENCRYPTION_KEY: optionalString,
});
export type Env = z.infer<typeof Env>;

export interface Config {
  env: Env;
  /** Absolute path of the file the policy came from. */
  file: string;
  policy: PolicyFile;
}

/** `a.b[0].c` — the key path people see in their YAML. */
export function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

export function formatIssues(source: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${source}: ${keyPath(i.path) || '(root)'}: ${i.message}`);
}

export function parseEnv(env: NodeJS.ProcessEnv): Env {
  const r = Env.safeParse(env);
  if (!r.success)
    throw new RolecallError('CONFIG.INVALID', formatIssues('environment', r.error).join('\n'), {
      details: { issues: r.error.issues.length },
    });
  return r.data;
}

/** Parses policy YAML text; every problem is reported as `file: key.path: expected …`, or with a line for syntax. */
export function parsePolicy(text: string, file: string): PolicyFile {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const msgs = doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
    throw new RolecallError('CONFIG.INVALID', msgs.join('\n'), { details: { file } });
  }
  let value: unknown;
  try {
    // toJS() resolves aliases: an unresolved one or an alias bomb throws a plain Error here.
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    throw new RolecallError('CONFIG.INVALID', `${file}: ${(cause as Error).message}`, {
      cause,
      details: { file },
    });
  }
  const r = PolicyFile.safeParse(value);
  if (!r.success)
    throw new RolecallError('CONFIG.INVALID', formatIssues(file, r.error).join('\n'), { details: { file } });
  return r.data;
}

export function loadPolicyFile(path: string): PolicyFile {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new RolecallError('CONFIG.INVALID', `${file}: cannot read the config file (set ROLECALL_CONFIG)`, {
      cause,
    });
  }
  return parsePolicy(text, file);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(env);
  const file = resolve(e.ROLECALL_CONFIG);
  return { env: e, file, policy: loadPolicyFile(file) };
}

/** Reads a secret named in the config; the value is never logged or put in an error. */
export function secret(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name]?.trim();
  if (!v)
    throw new RolecallError(
      'CONFIG.INVALID',
      `environment variable ${name} is not set (named in rolecall.yml)`,
      { details: { key: name } },
    );
  return v;
}
