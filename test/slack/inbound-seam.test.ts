import { describe, expect, it } from 'vitest';
import {
  normaliseMentions,
  parseClick,
  parseCommand,
  parseDm,
  parseMention,
  slackIsDm,
} from '../../src/adapters/slack/parse.ts';
import {
  blockActionPayload,
  commandPayload,
  dmEvent,
  eventEnvelope,
  mentionEvent,
} from '../support/slack-payloads.ts';

/**
 * Issue 15.2, the inbound half of the chat seam: the Slack adapter says whether a conversation is a
 * DM (`isDm`) from what Slack sends, and hands over text in the syntax the IntentExtractor
 * contract states (mentions as `<@ID>`, no labels).
 */
describe('Slack inbound: conversation kind and mention syntax', () => {
  const value = <T>(p: { ok: true; value: T } | { ok: false; reason: string }): T => {
    if (!p.ok) throw new Error(p.reason);
    return p.value;
  };

  it('a DM event is a DM, a mention in a channel is not', () => {
    const dm = value(parseDm(eventEnvelope(dmEvent({ user: 'U0A', text: 'hi', channel: 'D0A' })), 'UBOT'));
    expect(dm.isDm).toBe(true);
    const m = value(
      parseMention(
        eventEnvelope(mentionEvent({ user: 'U0A', text: '<@UBOT> hi', channel: 'C0GEN' })),
        'UBOT',
      ),
    );
    expect(m.isDm).toBe(false);
  });

  it('a command or click says DM from Slack’s channel name, not from the id alone', () => {
    const inDm = (channelId: string, channelName?: string) =>
      value(
        parseCommand(
          commandPayload({ userId: 'U0A', channelId, text: 'help', ...(channelName ? { channelName } : {}) }),
        ),
      ).message.isDm;
    expect(inDm('D0A')).toBe(true);
    expect(inDm('C0GEN')).toBe(false);
    // A group DM (mpim) is no DM with Rolecall, though its kind is not in its id.
    expect(inDm('G0MP', 'mpdm-a--b--c-1')).toBe(false);
    const click = (channelId: string, channelName?: string) =>
      value(
        parseClick(
          blockActionPayload({
            actionId: 'rc_confirm',
            value: 'r1',
            userId: 'U0A',
            channelId,
            ...(channelName ? { channelName } : {}),
          }),
        ),
      ).click.isDm;
    expect(click('D0A')).toBe(true);
    expect(click('C0GEN')).toBe(false);
    expect(slackIsDm({ id: 'D0A', channelType: 'channel' })).toBe(false);
    expect(slackIsDm({ id: 'C0A', channelType: 'im' })).toBe(true);
  });

  it('reduces labelled mentions to <@ID> and leaves typed (escaped) ones alone', () => {
    expect(normaliseMentions('make <@U0DANA|dana> and <@W0ENT|ent> admins')).toBe(
      'make <@U0DANA> and <@W0ENT> admins',
    );
    expect(normaliseMentions('&lt;@U0DANA|dana&gt; <mailto:a@b.co|a@b.co> <!here>')).toBe(
      '&lt;@U0DANA|dana&gt; <mailto:a@b.co|a@b.co> <!here>',
    );
    const m = value(
      parseMention(
        eventEnvelope(
          mentionEvent({
            user: 'U0A',
            text: '<@UBOT|rolecall> make <@U0DANA|Dana "admin"> an editor',
            channel: 'C0GEN',
          }),
        ),
        'UBOT',
      ),
    );
    expect(m.text).toBe('make <@U0DANA> an editor');
  });
});
