import { describe, expect, it } from 'vitest';
import { mrkdwn } from '../../src/adapters/slack/mrkdwn.ts';
import { dmChannelOf } from '../../src/playground/web-chat.ts';
import {
  ALEX,
  APPROVALS,
  buttonIndex,
  type Client,
  clientPerTest,
  DANA_KIM,
  DANA_LEE,
  ERIN,
  GENERAL,
  OLIVIA,
  VIC,
} from './helpers.ts';

/**
 * Issue 16 §2, through the playground's API (the same use cases as Slack): nothing ends at "please
 * rephrase" — the request form is offered pre-filled; help, who-holds, did-you-mean; one message
 * per refusal saying who could help. Each test starts from a fresh playground.
 */
let c: Client;
clientPerTest((started) => (c = started));

const post = (path: string, body: unknown) => c.post(path, body);

/** Replies to one said message, in its thread, as `as` sees them. */
/**
 * The bot's answers to the message at `ts`: in its thread, or (a top-level message, issue 14: Slack
 * shows an ephemeral in a thread only if the thread exists) posted after it at the top level.
 */
async function repliesTo(as: string, channel: string, ts: unknown) {
  return (await c.messages(as, channel)).filter(
    (m) =>
      m.ts !== ts &&
      m.from === 'bot' &&
      (m.threadTs === ts || (m.threadTs == null && Number(m.ts) > Number(ts))),
  );
}

interface Form {
  prefill: Record<string, unknown>;
  roles: { name: string }[];
  durations: { label: string; ms: number | null }[];
}

describe('never a dead end (issue 16)', () => {
  it('a message not understood gets the request form, pre-filled with what was understood', async () => {
    const said = await c.say(
      ERIN,
      GENERAL,
      'could you sort out editor access for me for 2 hours since ticket SUP-1182',
    );
    const [offer, ...more] = await repliesTo(ERIN, GENERAL, said.body.ts);
    expect(more).toEqual([]);
    expect(offer!.card.buttons?.map((b) => b.text)).toEqual(['Open the request form']);
    expect(offer!.card.sections?.join()).toMatch(/What I understood: .*role `editor`.*for 2h/);
    const opened = await c.click(ERIN, GENERAL, offer!.ts, 0);
    const form = opened.body.form as Form;
    expect(form.prefill).toMatchObject({
      targetUserId: ERIN,
      role: 'editor',
      durationMs: 7_200_000,
      channelId: GENERAL,
    });
    expect(form.roles.map((r) => r.name)).toEqual(['viewer', 'editor', 'admin', 'owner']);
    // Durations bounded by the policy open to Erin (an editor) for editor: at most 8 h, no "permanent".
    expect(form.durations.map((d) => d.label)).toEqual(['1h', '2h', '4h', '8h']);

    const sent = await post('/api/form', {
      as: ERIN,
      channel: GENERAL,
      threadTs: said.body.ts,
      target: DANA_KIM,
      role: 'editor',
      durationMs: 7_200_000,
      justification: 'ticket SUP-1182',
    });
    expect(sent.status).toBe(200);
    const confirm = await c.card(ERIN, GENERAL, /^Grant `editor` to Dana Kim\?/);
    expect(confirm.threadTs).toBe(said.body.ts);
    expect(confirm.card.fields).toContainEqual(['Duration', '2h']);
    expect(confirm.card.fields).toContainEqual(['Reason', 'ticket SUP-1182']);
  });

  it('chit-chat gets the form too, without claiming to have understood anything', async () => {
    await c.say(ALEX, GENERAL, 'thanks!');
    const offer = await c.card(ALEX, GENERAL, /^I didn't understand that as a role request/);
    expect(offer.card.sections ?? []).toEqual([]);
    expect(offer.card.buttons?.map((b) => b.text)).toEqual(['Open the request form']);
  });

  it('the form refuses incomplete answers and people outside the sample', async () => {
    expect((await post('/api/form', { as: ERIN, channel: GENERAL, role: 'editor' })).body).toEqual({
      error: 'pick the person',
    });
    expect((await post('/api/form', { as: ERIN, channel: GENERAL, target: DANA_KIM })).body).toEqual({
      error: 'pick a role',
    });
    const bad = await post('/api/form', {
      as: ERIN,
      channel: GENERAL,
      target: DANA_KIM,
      role: 'editor',
      durationMs: -5,
    });
    expect(bad.body).toEqual({ error: 'pick how long' });
  });

  it('an unknown role says "did you mean", and the person not found gets names that are close', async () => {
    await c.say(OLIVIA, dmChannelOf(OLIVIA), 'make Dana Kym an editor');
    const notFound = await c.card(OLIVIA, dmChannelOf(OLIVIA), /couldn't find that person/);
    expect(notFound.card.text).toContain('Did you mean “Dana Kim” or “Dana Lee”?');
    expect(notFound.card.buttons?.[0]?.text).toBe('Open the request form');
    const form = (await c.click(OLIVIA, dmChannelOf(OLIVIA), notFound.ts, 0)).body.form as Form;
    expect(form.prefill).toMatchObject({ targetText: 'Dana Kym', role: 'editor' });
    // Olivia (owner) may grant without an end: the form offers "permanent".
    expect(form.durations[0]).toEqual({ label: 'No end (permanent)', ms: null });
    // A typo in the first name: found by the last.
    await c.say(OLIVIA, dmChannelOf(OLIVIA), 'make Vicor Vance an editor');
    expect((await c.card(OLIVIA, dmChannelOf(OLIVIA), /couldn't find that person/)).card.text).toContain(
      'Did you mean “Victor Vance”?',
    );
  });

  it('help says what this person may request, for whom, and who approves', async () => {
    await c.say(ERIN, dmChannelOf(ERIN), 'help');
    const help = await c.card(ERIN, dmChannelOf(ERIN), /what you can ask me for/);
    const text = help.card.sections?.join('\n') ?? '';
    expect(text).toContain('*grant* `viewer` for yourself — no approval needed');
    expect(text).toMatch(
      /\*grant\* `viewer`, `editor` for others — approved by someone holding `admin` or `owner`; at most 8h/,
    );
    expect(text).toMatch(/Who could help: someone holding `admin` or `owner`/);
    // Nothing pointless: Victor already is a viewer, so the policy leaves him nothing to ask for himself.
    await c.say(VIC, dmChannelOf(VIC), 'help');
    const vic = await c.card(VIC, dmChannelOf(VIC), /ask for nothing on your own/);
    expect(vic.card.sections?.join()).toMatch(/Who could help: someone holding `admin` or `owner`/);
    await c.say(DANA_LEE, dmChannelOf(DANA_LEE), 'what can I do?');
    const lee = await c.card(DANA_LEE, dmChannelOf(DANA_LEE), /what you can ask me for/);
    expect(lee.card.sections?.[0]).toBe('• *grant* `viewer` for yourself — no approval needed');
  });

  it('"who are the admins?" lists the holders for someone who may view roles, and no one else', async () => {
    await c.say(OLIVIA, dmChannelOf(OLIVIA), 'who are the admins?');
    expect((await c.card(OLIVIA, dmChannelOf(OLIVIA), /^`admin`:/)).card.text).toBe('`admin`: Alex Rivera.');
    await c.say(VIC, dmChannelOf(VIC), 'who are the admins?');
    const no = await c.card(VIC, dmChannelOf(VIC), /not allowed to see/);
    expect(no.card.sections?.join()).toMatch(/Who could help/);
  });

  it('a denied request is one message, saying why and who could help', async () => {
    const said = await c.say(VIC, dmChannelOf(VIC), 'make me an admin for 1 hour');
    const replies = await repliesTo(VIC, dmChannelOf(VIC), said.body.ts);
    expect(replies).toHaveLength(1);
    const card = replies[0]!.card;
    expect(card.text).toBe('Not done: Grant `admin` to Victor Vance');
    expect(card.sections?.join('\n')).toMatch(/Not allowed: no policy rule lets you make this change/);
    expect(card.sections?.join('\n')).toMatch(/Who could help: someone holding `admin` or `owner` here\./);
    expect(card.buttons ?? []).toEqual([]);
  });

  it('"already has that role" comes before any confirmation card', async () => {
    const said = await c.say(ALEX, GENERAL, 'make Dana Kim a viewer');
    const replies = await repliesTo(ALEX, GENERAL, said.body.ts);
    expect(replies.map((m) => m.card.text)).toEqual([
      'Dana Kim already has `viewer`, so there is nothing to ask for.',
    ]);
  });

  it('"for 0 hours" and "for 100 years" get their own answers (with the form)', async () => {
    await c.say(ALEX, GENERAL, 'make Dana Lee an editor for 0 hours');
    const zero = await c.card(ALEX, GENERAL, /for 0 time would end before it starts/);
    expect(zero.card.buttons?.[0]?.text).toBe('Open the request form');
    await c.say(ALEX, GENERAL, 'make Dana Lee an editor for 100 years');
    const forever = await c.card(ALEX, GENERAL, /longer than any grant I can make/);
    expect(forever.card.buttons?.[0]?.text).toBe('Open the request form');
  });

  it('an end asked as a time is shown as that time, not as "13h 21m 19s"', async () => {
    await c.say(OLIVIA, dmChannelOf(OLIVIA), 'make Dana Lee an editor until 23:30');
    const confirm = await c.card(OLIVIA, dmChannelOf(OLIVIA), /^Grant `editor` to Dana Lee\?/);
    const duration = confirm.card.fields?.find(([k]) => k === 'Duration')?.[1] ?? '';
    expect(duration).toMatch(/^until <!date\^\d+\^\{date_short_pretty\} at \{time\}\|/);
    expect(duration).not.toMatch(/\d+h \d+m/);
  });

  it("the requester's card follows the request when an approver decides", async () => {
    await c.say(ERIN, GENERAL, 'make Dana Lee a viewer for 1 hour');
    const confirm = await c.card(ERIN, GENERAL, /^Grant `viewer` to Dana Lee\?/);
    await c.click(ERIN, GENERAL, confirm.ts, buttonIndex(confirm, 'Confirm'));
    const waiting = (await c.messages(ERIN, GENERAL)).find((m) => m.ts === confirm.ts)!;
    expect(waiting.card.context).toMatch(/^Confirmed · waiting for approval/);
    const ask = await c.card(ALEX, APPROVALS, /asks to grant `viewer` for Dana Lee/);
    await c.click(ALEX, APPROVALS, ask.ts, buttonIndex(ask, 'Approve'));
    const decided = (await c.messages(ERIN, GENERAL)).find((m) => m.ts === confirm.ts)!;
    expect(decided.card.context).toMatch(/^Confirmed · done · Request /);
    expect(decided.edited).toBe(true);
  });
});

describe('did you mean, on the parser path (issue 16)', () => {
  it('a misspelt role the parser does not know gets "did you mean" and the form pre-filled with it', async () => {
    await c.say(OLIVIA, dmChannelOf(OLIVIA), 'make Dana Kim an edditorr');
    const offer = await c.card(OLIVIA, dmChannelOf(OLIVIA), /I don't know that role/);
    expect(offer.card.text).toBe("I don't know that role. Did you mean “editor”?");
    const form = (await c.click(OLIVIA, dmChannelOf(OLIVIA), offer.ts, 0)).body.form as Form;
    expect(form.prefill.role).toBe('editor');
  });

  it('asking about someone one may not see says who could help', async () => {
    await c.say(VIC, dmChannelOf(VIC), 'what roles does Dana Kim have?');
    const no = await c.card(VIC, dmChannelOf(VIC), /not allowed to see/);
    expect(no.card.sections?.join()).toMatch(/Who could help: someone holding `admin` or `owner`/);
  });
});

describe("the requester's card when nobody decides (issue 16)", () => {
  it('follows the request to "expired" when the scheduler lets it lapse', async () => {
    const { startPlayground } = await import('../../src/playground/index.ts');
    const { createLogger } = await import('../../src/adapters/log/logger.ts');
    let now = Date.parse('2026-03-02T09:00:00Z');
    const p = await startPlayground({
      env: { ROLECALL_CONFIG: '/nonexistent/rolecall.yml', LOG_LEVEL: 'silent' },
      port: 0,
      logger: createLogger({ level: 'silent' }),
      schedulerIntervalMs: 3_600_000,
      clock: { now: () => new Date(now) },
    });
    try {
      const post = (path: string, body: unknown) =>
        fetch(p.url + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      await post('/api/say', { as: ERIN, channel: GENERAL, text: 'make Dana Lee a viewer for 1 hour' });
      const mine = () =>
        p.chat.messages.filter(
          (m) => m.visibleTo === ERIN && m.card && mrkdwn(m.card.text).startsWith('Grant `viewer`'),
        );
      const confirm = mine()[0]!;
      await post('/api/click', { as: ERIN, channel: GENERAL, ts: confirm.ts, button: 0 });
      expect(mrkdwn(confirm.card?.context ?? '')).toMatch(/^Confirmed · waiting for approval/);
      now += 25 * 3_600_000;
      await p.running.tick();
      await p.surface.idle();
      expect(mrkdwn(confirm.card?.context ?? '')).toMatch(/^Expired · Request /);
    } finally {
      await p.stop();
    }
  });
});
