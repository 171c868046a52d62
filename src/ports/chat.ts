import type { RichText } from '../core/rich-text.ts';

/**
 * Chat: what use cases need from a chat surface (Slack, the playground), without Block Kit or SDK
 * types. Cards carry neutral rich text (core/rich-text.ts); each adapter renders it in its own
 * markup and escapes text there (Slack: mrkdwn and Block Kit within its limits) and maps errors to
 * `SLACK.*` codes. Channel and user ids are the surface's own, opaque to use cases: whether a
 * conversation is a DM is carried explicitly (`IncomingMessage.isDm`, `ButtonClick.isDm`), never
 * read from an id.
 * Contract: posting returns the message reference for later in-place updates; `userInfo` returns
 * undefined for unknown users rather than throwing.
 */
export interface ChatUser {
  id: string;
  teamId: string;
  name: string;
  realName?: string;
  email?: string;
  tz?: string;
  isBot: boolean;
  isDeleted: boolean;
  /** Guests (single- or multi-channel). */
  isRestricted: boolean;
  /** Slack Connect: a user from an organisation outside this workspace. */
  isStranger: boolean;
}

export interface CardButton {
  actionId: string;
  value: string;
  text: string;
  style?: 'primary' | 'danger';
}

/**
 * A renderer-neutral message: a title, sections of rich text, optional fields and buttons. A plain
 * string is literal text (shown as typed); button texts and field labels are always plain.
 */
export interface Card {
  text: RichText;
  sections?: RichText[];
  fields?: [label: string, value: RichText][];
  buttons?: CardButton[];
  context?: RichText;
}

export interface MessageRef {
  channelId: string;
  ts: string;
}

export interface Chat {
  post(channelId: string, card: Card, threadTs?: string): Promise<MessageRef>;
  postEphemeral(channelId: string, userId: string, card: Card, threadTs?: string): Promise<void>;
  update(ref: MessageRef, card: Card): Promise<void>;
  dm(userId: string, card: Card): Promise<MessageRef>;
  userInfo(userId: string): Promise<ChatUser | undefined>;
  /**
   * Answers through an interaction's response_url (Slack: 5 uses within 30 minutes): an ephemeral
   * to the person who acted, where they acted, even where the bot is not a member. `replace`
   * replaces the message the interaction came from. Rejects when Slack refuses the URL.
   */
  respond(responseUrl: string, card: Card, opts?: { replace?: boolean }): Promise<void>;
  /** The Slack user with this email in the workspace, or undefined (needs users:read.email). */
  userByEmail(email: string): Promise<ChatUser | undefined>;
}
