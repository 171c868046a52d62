import type { RichText } from '../core/rich-text.ts';
import type { Card } from '../ports/chat.ts';
import type { FormSubmission, RequestForm } from './request-form.ts';

/**
 * What the Slack listeners hand to the use cases, already parsed and verified (signature, team).
 * Listeners only ack, parse into these shapes, call one use case, and render what it returns.
 * Use cases talk back to people through the Chat port.
 */
export interface IncomingMessage {
  /** Slack event_id (events) or a synthetic key (commands) for de-duplication of retries. */
  deliveryId?: string;
  source: 'mention' | 'dm' | 'command';
  /**
   * The conversation is a direct message between the sender and Rolecall. Set by the chat adapter
   * from what its surface says (Slack: `channel_type: im`); never guessed from an id's shape.
   */
  isDm: boolean;
  /** The workspace the event was delivered to (the app's installation). */
  teamId: string;
  /** The sender's own team (differs in Slack Connect channels). */
  userTeamId?: string;
  channelId: string;
  userId: string;
  text: string;
  ts?: string;
  threadTs?: string;
  /** A slash command's (or its form's) response_url: the way to answer where the bot is not a member. */
  responseUrl?: string;
  /** Files attached to the message (Rolecall reads only text, and says so). */
  files?: number;
}

export interface Clicker {
  userId: string;
  teamId: string;
}

export interface ButtonClick {
  /** Slack action ids, e.g. `rc_confirm`, `rc_approve`. */
  actionId: string;
  /** The request id (and choice, for "which Dana?"), as put into the button's value. */
  value: string;
  clicker: Clicker;
  channelId?: string;
  /** The card was clicked in a direct message with Rolecall (set by the adapter, as for messages). */
  isDm?: boolean;
  messageTs?: string;
  /** The click's response_url: answers land next to the clicked card, even where the bot is not a member. */
  responseUrl?: string;
}

/** Block-renderable App Home content for one viewer. */
export interface HomeView {
  sections: { title: string; lines: RichText[] }[];
}

/**
 * Shows the request form at once, without a button (a slash command's trigger_id: valid 3 s, used
 * once). `form` is built only after the form surface is open. Resolves true once the person sees the
 * form, false when it could not be shown (the caller then offers the form's button instead).
 */
export type FormOpener = (form: () => Promise<RequestForm>) => Promise<boolean>;

export interface UseCases {
  /**
   * A mention, DM or /rolecall text: extract intents, answer, or show a confirmation card.
   * `openForm`: where the request form can be opened straight away (a slash command).
   */
  handleMessage(msg: IncomingMessage, openForm?: FormOpener): Promise<void>;
  /**
   * Any Rolecall button: confirm, cancel, choose target, approve. (Deny opens a modal first.)
   * Resolves with what should replace the clicked card for the clicker once the click has spent its
   * buttons (a confirmed, cancelled or expired confirmation card, a "which Dana?" choice), so stale
   * buttons don't linger; undefined leaves the card as it is (approval messages update in place).
   */
  handleClick(click: ButtonClick): Promise<Card | undefined>;
  /** Deny with the reason typed into the modal. */
  denyRequest(requestId: string, clicker: Clicker, reason: string): Promise<void>;
  renderHome(userId: string, teamId: string): Promise<HomeView>;
  /** "Open the request form" (issue 16): the form to show the clicker, or a refusal. */
  openRequestForm?(click: ButtonClick): Promise<RequestForm | Card>;
  /** The submitted request form, handled like the typed request it stands for. */
  submitRequestForm?(submission: FormSubmission): Promise<void>;
}

// The button ids live in actions.ts, so wording (messages/) needs no import of this file.
export { ACTIONS } from './actions.ts';

export const DENY_MODAL_CALLBACK = 'rc_deny_reason';
