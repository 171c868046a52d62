import { describe, expect, it } from 'vitest';
import { chooseInDm, messenger, usePeopleWorld } from '../support/people-world.ts';
import { PeopleChat } from './people-chat.ts';
import type { Proc } from './world.ts';

/**
 * Issue 15.2: whether a conversation is a DM is what the chat adapter says (`isDm`), never read
 * from the shape of an id. Slack's IM ids happen to start with `D`; other surfaces' ids need not,
 * and an id starting with `D` is not a DM unless the surface says so. PeopleChat records a
 * channel message under the channel id and an ephemeral under `channel/user`.
 */
describe('the conversation kind is carried, not guessed', () => {
  const { boot } = usePeopleWorld();
  const message = messenger('kind', '1700000003');
  const say = (p: Proc, channelId: string, isDm: boolean, text: string) =>
    message(p, { channelId, userId: 'U0BOB', isDm, text });

  it('answers in a DM whose id does not start with D as in a DM: a message there, details shown', async () => {
    const { p, chat } = await boot();
    await say(p, 'dm-U0BOB', true, 'what roles do I have?');
    expect(chat.cards.map((c) => c.to)).toEqual(['dm-U0BOB']);
    expect(chat.last('dm-U0BOB').text).toMatch(
      /<@U0BOB> \(bob@acme\.test, directory id [^)]+\) has: `viewer`/,
    );
  });

  it('answers in a channel whose id starts with D privately, as in any channel', async () => {
    const { p, chat } = await boot();
    await say(p, 'D0TEAMROOM', false, 'what roles do I have?');
    // An ephemeral to Bob only: a public post here would tell the whole channel.
    expect(chat.cards.map((c) => c.to)).toEqual(['D0TEAMROOM/U0BOB']);
  });

  it('keeps the kind with the request: a "which one?" choice made in a DM answers in that DM', async () => {
    const { w, p, chat } = await boot();
    await chooseInDm(p, {
      requester: 'U0BOB',
      targetScimId: w.scimId('erin'),
      channelId: 'dm-U0BOB',
      ts: '1700000003.000001',
      role: 'viewer',
    });
    expect(chat.cards.map((c) => c.to)).toEqual(['dm-U0BOB']);
  });

  it('shows a mention the directory cannot find as a mention, not as escaped markup', async () => {
    const { p, chat } = await boot();
    await say(p, 'dm-U0BOB', true, 'what roles does <@U0NOBODY> have?');
    const said = PeopleChat.all(chat.last('dm-U0BOB'));
    expect(said).toContain("I couldn't find <@U0NOBODY> in your organisation's directory.");
    expect(said).not.toContain('&lt;@U0NOBODY&gt;');
  });
});
