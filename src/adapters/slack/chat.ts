import { webApi } from '@slack/bolt';
import { errorCode, RolecallError } from '../../core/errors.ts';
import type { Card, Chat, ChatUser, MessageRef } from '../../ports/chat.ts';
import type { Logger } from '../log/logger.ts';
import { renderCard } from './blocks.ts';
import { toSlackLogger } from './bolt-logger.ts';
import { slackErrorCode, toSlackError } from './errors.ts';

export type WebClient = webApi.WebClient;
export type WebClientOptions = webApi.WebClientOptions;
export type RetryOptions = webApi.RetryOptions;

/**
 * Bounded: a few attempts with exponential backoff, on top of the WebClient honouring Retry-After on
 * 429 (it pauses its queue for the advertised seconds before the retry). Gives up after ~1 minute at
 * worst instead of the SDK default of half an hour, so a stuck Slack surfaces as SLACK.* errors.
 */
export const DEFAULT_RETRY: RetryOptions = {
  retries: 4,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 8_000,
  randomize: true,
};
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface WebClientSettings {
  /** `SLACK_API_URL`; Slack's own when unset. */
  apiUrl?: string;
  retry?: RetryOptions;
  timeoutMs?: number;
  logger?: Logger;
}

export function webClientOptions(s: WebClientSettings): WebClientOptions {
  return {
    ...(s.apiUrl ? { slackApiUrl: s.apiUrl } : {}),
    retryConfig: s.retry ?? DEFAULT_RETRY,
    timeout: s.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(s.logger ? { logger: toSlackLogger(s.logger, 'slack-web-api') } : {}),
  };
}

export function createWebClient(token: string, s: WebClientSettings = {}): WebClient {
  return new webApi.WebClient(token, webClientOptions(s));
}

const NO_SUCH_USER = new Set(['user_not_found', 'user_not_visible', 'users_not_found']);
/** Answers that mean the bot token will never work again (not a passing outage). */
export const REVOKED = new Set(['token_revoked', 'account_inactive', 'invalid_auth', 'not_authed']);
const DM_CACHE_MAX = 1000;

interface SlackUser {
  id?: string;
  team_id?: string;
  name?: string;
  real_name?: string;
  tz?: string;
  is_bot?: boolean;
  deleted?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  is_stranger?: boolean;
  /** Slack user object (api.slack.com/types/user; @slack/web-api UsersInfoResponse.User). */
  is_email_confirmed?: boolean;
  profile?: { email?: string; real_name?: string; team?: string };
}

export function toChatUser(u: SlackUser, fallbackId: string): ChatUser {
  const realName = u.real_name || u.profile?.real_name;
  return {
    id: u.id ?? fallbackId,
    teamId: u.team_id ?? u.profile?.team ?? '',
    name: u.name ?? '',
    ...(realName ? { realName } : {}),
    // Identity is looked up by this address: one the user never confirmed proves nothing (issue 13).
    ...(u.profile?.email && u.is_email_confirmed === true ? { email: u.profile.email } : {}),
    ...(u.tz ? { tz: u.tz } : {}),
    // Slackbot is a bot in every way that matters here, but Slack reports is_bot: false for it.
    isBot: Boolean(u.is_bot) || u.id === 'USLACKBOT',
    isDeleted: Boolean(u.deleted),
    isRestricted: Boolean(u.is_restricted || u.is_ultra_restricted),
    isStranger: Boolean(u.is_stranger),
  };
}

/** The Chat port over Slack's Web API. Every failure is a RolecallError with a SLACK.* code. */
export class SlackChat implements Chat {
  readonly #client: WebClient;
  readonly #dmChannels = new Map<string, string>();
  readonly #onAuthLost: ((error: string) => void) | undefined;

  /** `onAuthLost`: Slack said the bot token is dead (revoked, uninstalled, deactivated). */
  constructor(client: WebClient, onAuthLost?: (error: string) => void) {
    this.#client = client;
    this.#onAuthLost = onAuthLost;
  }

  async post(channelId: string, card: Card, threadTs?: string): Promise<MessageRef> {
    const { text, blocks } = renderCard(card);
    const res = await this.#call('chat.postMessage', () =>
      this.#client.chat.postMessage({
        channel: channelId,
        text,
        blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    return { channelId: res.channel ?? channelId, ts: requireTs(res.ts, 'chat.postMessage') };
  }

  async postEphemeral(channelId: string, userId: string, card: Card, threadTs?: string): Promise<void> {
    const { text, blocks } = renderCard(card);
    await this.#call('chat.postEphemeral', () =>
      this.#client.chat.postEphemeral({
        channel: channelId,
        user: userId,
        text,
        blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      }),
    );
  }

  async update(ref: MessageRef, card: Card): Promise<void> {
    const { text, blocks } = renderCard(card);
    await this.#call('chat.update', () =>
      this.#client.chat.update({ channel: ref.channelId, ts: ref.ts, text, blocks }),
    );
  }

  async dm(userId: string, card: Card): Promise<MessageRef> {
    let channel = this.#dmChannels.get(userId);
    if (!channel) {
      const res = await this.#call('conversations.open', () =>
        this.#client.conversations.open({ users: userId }),
      );
      channel = res.channel?.id;
      if (!channel) throw toSlackError(new Error('no channel id in the answer'), 'conversations.open');
      if (this.#dmChannels.size >= DM_CACHE_MAX) this.#dmChannels.clear();
      this.#dmChannels.set(userId, channel);
    }
    return this.post(channel, card);
  }

  async respond(responseUrl: string, card: Card, opts: { replace?: boolean } = {}): Promise<void> {
    const body = {
      ...renderCard(card),
      response_type: 'ephemeral',
      replace_original: Boolean(opts.replace),
    };
    let res: Response;
    try {
      res = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(DEFAULT_TIMEOUT_MS),
      });
    } catch (err) {
      throw toSlackError(err, 'response_url');
    }
    if (!res.ok) {
      // Slack answers a spent or expired URL with 404 and a short reason (used_url, expired_url).
      const reason = (await res.text().catch(() => '')).slice(0, 40) || `HTTP ${res.status}`;
      throw new RolecallError('SLACK.API', `Slack response_url refused: ${reason}`, {
        details: { method: 'response_url', error: reason, status: res.status },
      });
    }
  }

  async userByEmail(email: string): Promise<ChatUser | undefined> {
    try {
      const res = await this.#call('users.lookupByEmail', () => this.#client.users.lookupByEmail({ email }));
      return res.user ? toChatUser(res.user as SlackUser, '') : undefined;
    } catch (err) {
      if (NO_SUCH_USER.has(slackErrorCode(err) ?? '')) return undefined;
      throw err;
    }
  }

  /**
   * Whether the bot can post in a channel right now (conversations.info): a member, not archived.
   * Answers a reason instead of throwing, for start-up checks and `rolecall doctor`.
   */
  async canPost(channelId: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      const res = await this.#call('conversations.info', () =>
        this.#client.conversations.info({ channel: channelId }),
      );
      if (res.channel?.is_archived) return { ok: false, reason: 'is_archived' };
      if (res.channel && res.channel.is_member === false && !res.channel.is_im)
        return { ok: false, reason: 'not_in_channel' };
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: slackErrorCode(err) ?? errorCode(err) };
    }
  }

  async userInfo(userId: string): Promise<ChatUser | undefined> {
    try {
      const res = await this.#call('users.info', () => this.#client.users.info({ user: userId }));
      return res.user ? toChatUser(res.user as SlackUser, userId) : undefined;
    } catch (err) {
      if (NO_SUCH_USER.has(slackErrorCode(err) ?? '')) return undefined;
      throw err;
    }
  }

  async #call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const mapped = toSlackError(err, method);
      const code = slackErrorCode(mapped);
      if (code && REVOKED.has(code)) this.#onAuthLost?.(code);
      throw mapped;
    }
  }
}

function requireTs(ts: string | undefined, method: string): string {
  if (!ts) throw toSlackError(new Error('no ts in the answer'), method);
  return ts;
}
