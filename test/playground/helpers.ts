import { afterEach, beforeEach } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { type Playground, startPlayground } from '../../src/playground/index.ts';
import type { WebMessage } from '../../src/playground/web-chat.ts';
import { asMrkdwn, type MrkdwnCard } from '../support/card-text.ts';

/** The playground in-process on a free port, and a tiny client that speaks its JSON API. */
export interface Client {
  p: Playground;
  say(as: string, channel: string, text: string): Promise<{ status: number; body: Record<string, unknown> }>;
  click(
    as: string,
    channel: string,
    ts: string,
    button: number,
    reason?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  messages(as: string, channel: string): Promise<ApiMessage[]>;
  /** The last bot card `as` sees in `channel` whose text matches. */
  card(as: string, channel: string, match: RegExp): Promise<ApiMessage>;
  groupsOf(email: string): string[];
  /** POST a JSON body to an API path: the status and the JSON answer. */
  post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** A message as the API serves it, its card's neutral rich text read through the Slack renderer. */
export type ApiMessage = Omit<WebMessage, 'visibleTo' | 'channelId' | 'card'> & {
  ephemeral: boolean;
  fromName: string;
  card: MrkdwnCard;
};

export const GENERAL = 'C0GENERAL';
export const APPROVALS = 'C0APPROVALS';
export const OLIVIA = 'U0OLIVIA';
export const ALEX = 'U0ALEX';
export const ERIN = 'U0ERIN';
export const VIC = 'U0VIC';
export const DANA_KIM = 'U0DANAKIM';
export const DANA_LEE = 'U0DANALEE';

export async function startClient(env: NodeJS.ProcessEnv = {}, port = 0): Promise<Client> {
  const p = await startPlayground({
    env: { ROLECALL_CONFIG: '/nonexistent/rolecall.yml', LOG_LEVEL: 'silent', ...env },
    port,
    logger: createLogger({ level: 'silent' }),
    schedulerIntervalMs: 3_600_000,
  });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(p.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const messages = async (as: string, channel: string) => {
    const res = await fetch(`${p.url}/api/messages?as=${as}&channel=${channel}`);
    const { messages } = (await res.json()) as { messages: (ApiMessage & { card?: WebMessage['card'] })[] };
    return messages.map((m) => (m.card ? { ...m, card: asMrkdwn(m.card) } : m) as ApiMessage);
  };
  return {
    p,
    say: (as, channel, text) => post('/api/say', { as, channel, text }),
    click: (as, channel, ts, button, reason) =>
      post('/api/click', { as, channel, ts, button, ...(reason !== undefined ? { reason } : {}) }),
    messages,
    async card(as, channel, match) {
      const found = (await messages(as, channel)).filter((m) => m.card && match.test(m.card.text)).at(-1);
      if (!found) throw new Error(`no card matching ${match} for ${as} in ${channel}`);
      return found;
    },
    groupsOf: (email) => p.scim.state.groupsOf(email),
    post,
  };
}

/**
 * A fresh playground for every test of the file or describe block, so none depends on what an
 * earlier one changed (issue 16); `use` is handed each test's client, stopped after the test.
 */
export function clientPerTest(use: (c: Client) => void): void {
  let c: Client | undefined;
  beforeEach(async () => {
    c = await startClient();
    use(c);
  });
  afterEach(async () => {
    await c?.p.stop();
    c = undefined;
  });
}

export const buttonIndex = (m: ApiMessage, text: string) => {
  const i = (m.card.buttons ?? []).findIndex((b) => b.text === text);
  if (i < 0) throw new Error(`no ${text} button on “${m.card.text}”`);
  return i;
};
