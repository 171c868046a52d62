import { RolecallError } from '../core/errors.ts';
import type { Card, Chat, ChatUser, MessageRef } from '../ports/chat.ts';

/**
 * The playground's Chat: channels, threads, per-user ephemerals, DMs and in-place updates, kept in
 * memory for the web page. It plays Slack's part, so it keeps Slack's visibility rules: an
 * ephemeral is seen by one person only and a DM only by its person.
 */
export interface WebMessage {
  channelId: string;
  ts: string;
  threadTs?: string;
  /** A person's Slack-style id, or `bot` for Rolecall. */
  from: string;
  /** Ephemeral: only this person sees it. */
  visibleTo?: string;
  /** What a person typed (shown as text, never as markup). */
  text?: string;
  card?: Card;
  edited?: boolean;
}

export interface WebChannel {
  id: string;
  name: string;
  /** DMs belong to one person. */
  owner?: string;
}

export const BOT = 'bot';

/**
 * The bot's DM channel with a person. Deliberately not Slack-shaped: use cases learn that a
 * conversation is a DM from `isDm`, which the playground says as Slack's adapter does.
 */
export const dmChannelOf = (userId: string) => `dm-${userId}`;

export class WebChat implements Chat {
  readonly messages: WebMessage[] = [];
  readonly #users: Map<string, ChatUser>;
  readonly #channels = new Map<string, WebChannel>();
  readonly #listeners = new Set<() => void>();
  #seq = 0;

  constructor(users: ChatUser[], channels: WebChannel[]) {
    this.#users = new Map(users.map((u) => [u.id, u]));
    for (const c of channels) this.#channels.set(c.id, c);
    for (const u of users)
      this.#channels.set(dmChannelOf(u.id), { id: dmChannelOf(u.id), name: 'Rolecall', owner: u.id });
  }

  get users(): ChatUser[] {
    return [...this.#users.values()];
  }

  /** Channels a person can see: the shared ones and their own DM with the bot. */
  channelsFor(userId: string): WebChannel[] {
    return [...this.#channels.values()].filter((c) => !c.owner || c.owner === userId);
  }

  /** A person's DM with the bot (the playground knows: it made the channel), whatever its id. */
  isDm(channelId: string): boolean {
    return this.#channels.get(channelId)?.owner !== undefined;
  }

  canSee(userId: string, channelId: string): boolean {
    const c = this.#channels.get(channelId);
    return c !== undefined && (!c.owner || c.owner === userId);
  }

  /** What one person sees in one channel, oldest first. */
  visible(userId: string, channelId: string): WebMessage[] {
    if (!this.canSee(userId, channelId)) return [];
    return this.messages.filter(
      (m) => m.channelId === channelId && (m.visibleTo === undefined || m.visibleTo === userId),
    );
  }

  find(channelId: string, ts: string): WebMessage | undefined {
    return this.messages.find((m) => m.channelId === channelId && m.ts === ts);
  }

  /** Called after every change (the page's event stream listens). */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** A person's own message, as Slack would deliver it. */
  say(userId: string, channelId: string, text: string, threadTs?: string): WebMessage {
    return this.#add({ channelId, from: userId, text, ...(threadTs ? { threadTs } : {}) });
  }

  async post(channelId: string, card: Card, threadTs?: string): Promise<MessageRef> {
    this.#channel(channelId);
    const m = this.#add({ channelId, from: BOT, card, ...(threadTs ? { threadTs } : {}) });
    return { channelId, ts: m.ts };
  }

  async postEphemeral(channelId: string, userId: string, card: Card, threadTs?: string): Promise<void> {
    this.#channel(channelId);
    this.#add({ channelId, from: BOT, visibleTo: userId, card, ...(threadTs ? { threadTs } : {}) });
  }

  async update(ref: MessageRef, card: Card): Promise<void> {
    const m = this.find(ref.channelId, ref.ts);
    if (!m || m.from !== BOT)
      throw new RolecallError('SLACK.API', `no bot message ${ref.ts} in ${ref.channelId} to update`, {
        details: { method: 'chat.update' },
      });
    m.card = card;
    m.edited = true;
    this.#changed();
  }

  async dm(userId: string, card: Card): Promise<MessageRef> {
    if (!this.#users.has(userId))
      throw new RolecallError('SLACK.API', `no user ${userId} to message`, {
        details: { method: 'chat.postMessage' },
      });
    return this.post(dmChannelOf(userId), card);
  }

  async userInfo(userId: string): Promise<ChatUser | undefined> {
    return this.#users.get(userId);
  }

  /** The playground has no response URLs: use cases fall back to their channel answer. */
  async respond(): Promise<void> {
    throw new RolecallError('SLACK.API', 'no response_url in the playground', {
      details: { method: 'response_url' },
    });
  }

  /** No Slack directory to search here: targets named by name stay as the directory knows them. */
  async userByEmail(): Promise<ChatUser | undefined> {
    return undefined;
  }

  #channel(channelId: string): WebChannel {
    const c = this.#channels.get(channelId);
    if (!c)
      throw new RolecallError('SLACK.API', `no channel ${channelId}`, {
        details: { method: 'chat.postMessage' },
      });
    return c;
  }

  #add(m: Omit<WebMessage, 'ts'>): WebMessage {
    // Slack-like timestamps: unique and increasing, which is all use cases rely on.
    const msg: WebMessage = { ...m, ts: `${1_700_000_000 + ++this.#seq}.000100` };
    this.messages.push(msg);
    this.#changed();
    return msg;
  }

  #changed(): void {
    for (const fn of this.#listeners) fn();
  }
}
