import type { Card, ChatUser, MessageRef } from '../../src/ports/chat.ts';
import { asMrkdwn, type MrkdwnCard } from '../support/card-text.ts';
import { RecordingChat, USERS } from './world.ts';

/**
 * RecordingChat that also keeps whole cards (fields, buttons) and knows the world's people as
 * Slack users, so use cases that identify the sender can run without the Slack emulator.
 */
export class PeopleChat extends RecordingChat {
  /** Whole cards as Slack shows their texts (mrkdwn), for assertions. */
  cards: { to: string; card: MrkdwnCard }[] = [];
  people = new Map<string, ChatUser>(
    Object.values(USERS).map((u) => [
      u.slack,
      {
        id: u.slack,
        teamId: 'T0ACME',
        name: u.userName.split('@')[0]!,
        realName: u.displayName,
        email: u.userName,
        isBot: false,
        isDeleted: false,
        isRestricted: false,
        isStranger: false,
      },
    ]),
  );
  /** Someone Slack knows (a member of acme's workspace, confirmed email) beyond the world's people. */
  addPerson(id: string, name: string, email: string): void {
    this.people.set(id, {
      id,
      teamId: 'T0ACME',
      name,
      email,
      isBot: false,
      isDeleted: false,
      isRestricted: false,
      isStranger: false,
    });
  }
  override async post(channelId: string, card: Card, threadTs?: string): Promise<MessageRef> {
    this.cards.push({ to: channelId, card: asMrkdwn(card) });
    return super.post(channelId, card, threadTs);
  }
  override async postEphemeral(channelId: string, userId: string, card: Card): Promise<void> {
    this.cards.push({ to: `${channelId}/${userId}`, card: asMrkdwn(card) });
    return super.postEphemeral(channelId, userId, card);
  }
  override async update(ref: MessageRef, card: Card): Promise<void> {
    this.cards.push({ to: ref.channelId, card: asMrkdwn(card) });
    return super.update(ref, card);
  }
  // @ts-expect-error RecordingChat.userInfo knows no one; this one knows the world's people.
  override async userInfo(id: string): Promise<ChatUser | undefined> {
    return this.people.get(id);
  }
  /** Everything a card says, as one string (title, fields, sections, buttons, context). */
  static all(card: MrkdwnCard): string {
    return [
      card.text,
      ...(card.fields ?? []).flat(),
      ...(card.sections ?? []),
      ...(card.buttons ?? []).map((b) => `${b.text} ${b.value}`),
      card.context ?? '',
    ].join('\n');
  }
  last(to: string): MrkdwnCard {
    const c = this.cards.filter((x) => x.to === to).at(-1);
    if (!c) throw new Error(`nothing said to ${to}`);
    return c.card;
  }
}
