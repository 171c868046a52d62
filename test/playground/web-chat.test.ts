import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOT, dmChannelOf, WebChat } from '../../src/playground/web-chat.ts';
import type { ChatUser } from '../../src/ports/chat.ts';
import { startClient } from './helpers.ts';

const user = (id: string): ChatUser => ({
  id,
  teamId: 'T0DEMO',
  name: id.toLowerCase(),
  isBot: false,
  isDeleted: false,
  isRestricted: false,
  isStranger: false,
});

/** WebChat keeps the Chat port's contract the way SlackChat does. */
describe('WebChat', () => {
  const make = () => new WebChat([user('U0A'), user('U0B')], [{ id: 'C0GEN', name: 'general' }]);

  it('posts, threads and updates in place; ephemerals and DMs reach one person only', async () => {
    const chat = make();
    const changes: number[] = [];
    chat.onChange(() => changes.push(chat.messages.length));
    const asked = chat.say('U0A', 'C0GEN', 'hello');
    const ref = await chat.post('C0GEN', { text: 'v1' }, asked.ts);
    await chat.postEphemeral('C0GEN', 'U0A', { text: 'just for A' });
    await chat.dm('U0B', { text: 'psst' });
    await chat.update(ref, { text: 'v2' });
    expect(chat.visible('U0A', 'C0GEN').map((m) => m.card?.text ?? m.text)).toEqual([
      'hello',
      'v2',
      'just for A',
    ]);
    expect(chat.visible('U0B', 'C0GEN').map((m) => m.card?.text ?? m.text)).toEqual(['hello', 'v2']);
    expect(chat.visible('U0A', dmChannelOf('U0B'))).toEqual([]);
    expect(chat.visible('U0B', dmChannelOf('U0B'))[0]?.card?.text).toBe('psst');
    expect(chat.find('C0GEN', ref.ts)).toMatchObject({ from: BOT, threadTs: asked.ts, edited: true });
    expect(changes).toEqual([1, 2, 3, 4, 4]);
    expect(chat.channelsFor('U0A').map((c) => c.id)).toEqual(['C0GEN', dmChannelOf('U0A')]);
  });

  it('says which channel is a DM with the bot; a channel whose id starts with D is a channel (issue 15.2)', () => {
    const chat = new WebChat([user('U0A')], [{ id: 'DESIGN', name: 'design' }]);
    expect(chat.isDm('DESIGN')).toBe(false);
    expect(chat.isDm(dmChannelOf('U0A'))).toBe(true);
    // Not Slack-shaped on purpose: nothing may tell a DM by its id.
    expect(dmChannelOf('U0A').startsWith('D')).toBe(false);
    expect(chat.isDm('C0NOPE')).toBe(false);
  });

  it('fails like Slack on unknown channels, messages and people; unknown users are undefined', async () => {
    const chat = make();
    await expect(chat.post('C0NOPE', { text: 'x' })).rejects.toMatchObject({ code: 'SLACK.API' });
    await expect(chat.update({ channelId: 'C0GEN', ts: '1.0' }, { text: 'x' })).rejects.toMatchObject({
      code: 'SLACK.API',
    });
    const theirs = chat.say('U0A', 'C0GEN', 'mine');
    await expect(chat.update({ channelId: 'C0GEN', ts: theirs.ts }, { text: 'x' })).rejects.toMatchObject({
      code: 'SLACK.API',
    });
    await expect(chat.dm('U0NOPE', { text: 'x' })).rejects.toMatchObject({ code: 'SLACK.API' });
    expect(await chat.userInfo('U0NOPE')).toBeUndefined();
    expect((await chat.userInfo('U0A'))?.teamId).toBe('T0DEMO');
  });
});

describe('playground start', () => {
  it('stops with a clear PORT error when the port is taken, and leaves nothing behind', async () => {
    const first = await startClient();
    try {
      const port = first.p.surface.port!;
      const err = await startClient({}, port).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(
        new RegExp(`^PORT: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`),
      );
    } finally {
      await first.p.stop();
    }
  });

  it('removes its temporary store on stop', async () => {
    const c = await startClient();
    const dataDir =
      c.p.running.deps && (c.p.running.stores as { connection?: { path: string } }).connection?.path;
    expect(dataDir && existsSync(dataDir)).toBe(true);
    expect(dataDir).not.toContain(`${process.cwd()}/data`);
    await c.p.stop();
    expect(existsSync(dataDir!)).toBe(false);
  });
});
