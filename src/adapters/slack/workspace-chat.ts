import { AsyncLocalStorage } from 'node:async_hooks';
import { RolecallError } from '../../core/errors.ts';
import type { Card, Chat, ChatUser, MessageRef } from '../../ports/chat.ts';
import type { LogScope } from '../../ports/log.ts';
import { SlackChat, type WebClient } from './chat.ts';

/**
 * Which workspace's token answers right now. Inbound work (an event, command or click) runs inside
 * the scope of the installation Slack delivered it to, opened by the tenancy middleware; scheduled
 * work (revocations, reminders, recovery) runs inside the scope of its request's tenant, opened by
 * the log scope wrapper below. A token is never chosen any other way, so a token of workspace A is
 * never used for work that arrived through workspace B.
 */
type Scope =
  | { kind: 'inbound'; installationId: string; token: string }
  | { kind: 'tenant'; tenantId: string };

const scope = new AsyncLocalStorage<Scope>();

export function inInstallationScope<T>(
  installationId: string,
  token: string,
  fn: () => Promise<T>,
): Promise<T> {
  return scope.run({ kind: 'inbound', installationId, token }, fn);
}

export const currentScope = (): Scope | undefined => scope.getStore();

/**
 * Wraps the log scope so scheduled work, which opens one log scope per request with its `tenant`,
 * also opens that tenant's token scope; inside inbound work the installation's scope wins.
 */
export function withTenantScope(base: LogScope): LogScope {
  return {
    run(fields, fn) {
      const tenant = fields.tenant;
      if (typeof tenant !== 'string' || scope.getStore()?.kind === 'inbound') return base.run(fields, fn);
      return base.run(fields, () => scope.run({ kind: 'tenant', tenantId: tenant }, fn));
    },
    bind: (fields) => base.bind(fields),
  };
}

const CACHE_MAX = 200;

/** The Chat port over many installations: each call goes out with the token of the current scope. */
export class WorkspaceChat implements Chat {
  readonly #makeClient: (token: string) => WebClient;
  readonly #tokenForTenant: (tenantId: string) => Promise<string>;
  readonly #chats = new Map<string, SlackChat>();

  constructor(
    makeClient: (token: string) => WebClient,
    tokenForTenant: (tenantId: string) => Promise<string>,
  ) {
    this.#makeClient = makeClient;
    this.#tokenForTenant = tokenForTenant;
  }

  async #chat(): Promise<SlackChat> {
    const s = scope.getStore();
    if (!s)
      throw new RolecallError(
        'SLACK.API',
        'no Slack installation for this work (no workspace or tenant in scope)',
        {
          details: { error: 'no_installation' },
        },
      );
    const token = s.kind === 'inbound' ? s.token : await this.#tokenForTenant(s.tenantId);
    let chat = this.#chats.get(token);
    if (!chat) {
      if (this.#chats.size >= CACHE_MAX) this.#chats.clear();
      chat = new SlackChat(this.#makeClient(token));
      this.#chats.set(token, chat);
    }
    return chat;
  }

  async post(channelId: string, card: Card, threadTs?: string): Promise<MessageRef> {
    return (await this.#chat()).post(channelId, card, threadTs);
  }
  async postEphemeral(channelId: string, userId: string, card: Card, threadTs?: string): Promise<void> {
    return (await this.#chat()).postEphemeral(channelId, userId, card, threadTs);
  }
  async update(ref: MessageRef, card: Card): Promise<void> {
    return (await this.#chat()).update(ref, card);
  }
  async dm(userId: string, card: Card): Promise<MessageRef> {
    return (await this.#chat()).dm(userId, card);
  }
  async userInfo(userId: string): Promise<ChatUser | undefined> {
    return (await this.#chat()).userInfo(userId);
  }
  async respond(responseUrl: string, card: Card, opts: { replace?: boolean } = {}): Promise<void> {
    return (await this.#chat()).respond(responseUrl, card, opts);
  }
  async userByEmail(email: string): Promise<ChatUser | undefined> {
    return (await this.#chat()).userByEmail(email);
  }
  /** Answers a reason instead of throwing, like SlackChat's (no installation in scope is a reason too). */
  async canPost(channelId: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      return await (await this.#chat()).canPost(channelId);
    } catch {
      return { ok: false, reason: 'no_installation' };
    }
  }
}
