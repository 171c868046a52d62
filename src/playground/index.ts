import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../adapters/log/logger.ts';
import { DB_FILE } from '../adapters/store/sqlite/connection.ts';
import { type Config, parseEnv } from '../config.ts';
import { type RolecallOptions, type Running, startSurface } from '../main.ts';
import type { ChatUser } from '../ports/chat.ts';
import { type PlaygroundDirectory, startPlaygroundDirectory } from './directory.ts';
import { type Sample, SCIM_TOKEN_ENV, samplePolicy } from './sample.ts';
import { createPlaygroundSurface, type PlaygroundSurface } from './server.ts';
import { WebChat } from './web-chat.ts';

/**
 * The local playground: the real use cases, stores, policy, intent extractor and SCIM client, with
 * an embedded SCIM directory of sample people and a web page in place of Slack. Nothing leaves
 * 127.0.0.1 (except LLM calls when ANTHROPIC_API_KEY is set), and its store is a temporary SQLite
 * file removed on stop (unless `keep`), so demo state never mixes with a real bot's.
 */
export interface PlaygroundOptions extends Omit<RolecallOptions, 'config' | 'slackRetry'> {
  /** Page port on 127.0.0.1; 0 picks a free one. Default: PORT, else 3000. */
  port?: number;
  /** Keep the SQLite store (requests and audit records) when stopping, instead of deleting it. */
  keep?: boolean;
}

export interface Playground {
  url: string;
  running: Running<PlaygroundSurface>;
  surface: PlaygroundSurface;
  chat: WebChat;
  /** The embedded directory (no request log, no fault knobs); its `state` is what the bot changed. */
  scim: PlaygroundDirectory;
  sample: Sample;
  /** The SQLite file holding this playground's requests and audit records. */
  storePath: string;
  /** Whether the store outlives stop(). */
  keep: boolean;
  stop(): Promise<void>;
}

export const GENERAL = { id: 'C0GENERAL', name: 'general' };

export async function startPlayground(opts: PlaygroundOptions): Promise<Playground> {
  const base = parseEnv(opts.env);
  const token = randomBytes(24).toString('base64url');
  const scim = await startPlaygroundDirectory({ token });
  const dataDir = mkdtempSync(join(tmpdir(), 'rolecall-playground-'));
  const cleanup = async () => {
    await scim.close();
    if (!opts.keep) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const sample = samplePolicy(base.ROLECALL_CONFIG, scim.baseUrl);
    for (const u of sample.users) scim.state.addUser(u);
    for (const g of sample.groups) scim.state.addGroup(g);
    // The playground's own store and directory token; MongoDB is never used for demo state.
    const env = { ...opts.env, [SCIM_TOKEN_ENV]: token, ROLECALL_DATA_DIR: dataDir, MONGODB_URI: '' };
    // A throwaway store: its audit chain needs no key even under NODE_ENV=production (a warning says so).
    const config: Config = {
      env: { ...parseEnv(env), NODE_ENV: undefined },
      file: sample.source,
      policy: sample.policy,
    };
    const chat = new WebChat(chatUsers(sample), [
      GENERAL,
      ...(sample.approvalChannel && sample.approvalChannel !== GENERAL.id
        ? [{ id: sample.approvalChannel, name: 'approvals' }]
        : []),
    ]);
    const tenantId = sample.tenant.id;
    let running: Running<PlaygroundSurface> | undefined;
    const rolesOf = async (userId: string) => {
      const email = sample.people.find((p) => p.slackId === userId)?.email;
      const dir = running?.directories.forTenant(tenantId);
      const user = email && dir ? await dir.findUserByEmail(email) : undefined;
      return user && dir ? dir.getRoles(user.id) : [];
    };
    running = await startSurface({ ...opts, env, config }, (w) =>
      createPlaygroundSurface({
        chat,
        useCases: w.useCases(chat),
        teamId: sample.teamId,
        routes: w.routes,
        logger: w.logger,
        port: opts.port ?? base.PORT,
        rolesOf,
        title: sample.tenant.name ?? sample.tenant.id,
        requestById: async (id) => running?.deps.requests.get(id),
      }),
    );
    const r = running;
    return {
      url: r.surface.url!,
      running: r,
      surface: r.surface,
      chat,
      scim,
      sample,
      storePath: join(dataDir, DB_FILE),
      keep: opts.keep === true,
      async stop() {
        await r.stop();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function chatUsers(sample: Sample): ChatUser[] {
  return sample.people.map((p) => ({
    id: p.slackId,
    teamId: sample.teamId,
    name: p.email.split('@')[0]!,
    realName: p.name,
    email: p.email,
    tz: p.tz,
    isBot: false,
    isDeleted: false,
    isRestricted: false,
    isStranger: false,
  }));
}

/** What `rolecall start` (without Slack tokens) and `rolecall demo` print: where the page is, what this is, how to leave. */
export function banner(p: Playground, why: 'no-slack-tokens' | 'demo'): string {
  return [
    '',
    why === 'no-slack-tokens'
      ? 'Rolecall is running as the local PLAYGROUND: no Slack tokens are set (SLACK_BOT_TOKEN, SLACK_APP_TOKEN).'
      : 'Rolecall is running as the local PLAYGROUND.',
    `  Open ${p.url} and chat as any sample person; confirm, approve and deny right there.`,
    `  Policy:    ${p.sample.source} (tenant "${p.sample.tenant.id}")`,
    `  Directory: embedded SCIM server with ${p.sample.people.length} sample people, in memory (${p.scim.baseUrl})`,
    p.keep
      ? `  Store:     ${p.storePath} (kept when you stop: --keep)`
      : `  Store:     ${p.storePath}, deleted when you stop (Ctrl-C); add --keep to keep it (npm run demo -- --keep)`,
    '  To connect Slack instead, set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (README, Quick start) and run npm start again.',
    '',
  ].join('\n');
}

/** Runs the playground until SIGINT/SIGTERM; `out` gets the banner. */
export async function runPlayground(
  env: NodeJS.ProcessEnv,
  o: {
    reason: 'no-slack-tokens' | 'demo';
    port?: number;
    keep?: boolean;
    logger?: Logger;
    out?: (text: string) => void;
    onReady?: (p: Playground) => void;
    /** Stops the playground when it settles; default: SIGINT or SIGTERM. */
    until?: Promise<unknown>;
  },
): Promise<number> {
  const p = await startPlayground({
    env,
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.keep ? { keep: true } : {}),
  });
  p.running.deps.log.info(
    { url: p.url, policy: p.sample.source, reason: o.reason },
    'playground mode (no Slack): open the page to chat as a sample person',
  );
  (o.out ?? ((t) => process.stdout.write(t)))(banner(p, o.reason));
  o.onReady?.(p);
  await (o.until ??
    new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    }));
  p.running.deps.log.info({}, 'stopping');
  await p.stop();
  return 0;
}
