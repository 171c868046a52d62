import { describe, expect, it } from 'vitest';
import { mrkdwn } from '../../src/adapters/slack/mrkdwn.ts';
import type { RichText } from '../../src/core/rich-text.ts';
import { dmChannelOf } from '../../src/playground/web-chat.ts';
import {
  ALEX,
  APPROVALS,
  buttonIndex,
  type Client,
  clientPerTest,
  DANA_LEE,
  ERIN,
  GENERAL,
  OLIVIA,
  VIC,
} from './helpers.ts';

/**
 * The playground's JSON API with plain fetch (no browser): the same use cases as Slack behind a
 * page, Slack's visibility rules, and the directory really changing. Every test starts from a
 * fresh playground, so none depends on what an earlier one changed (issue 16).
 */
let c: Client;
clientPerTest((started) => (c = started));

describe('playground API', () => {
  it('lists the sample people with their roles read from the embedded directory', async () => {
    const res = await fetch(`${c.p.url}/api/people`);
    const body = (await res.json()) as {
      title: string;
      people: { id: string; name: string; roles: string[] }[];
    };
    expect(body.title).toBe('Demo Co');
    const roles = Object.fromEntries(body.people.map((p) => [p.name, p.roles]));
    expect(roles).toEqual({
      'Olivia Park': ['owner'],
      'Alex Rivera': ['admin'],
      'Erin Chen': ['editor'],
      'Victor Vance': ['viewer'],
      'Dana Kim': ['viewer'],
      'Dana Lee': [],
    });
  });

  it('request → confirm → approve changes the directory; the confirmation is seen only by the requester', async () => {
    expect(c.groupsOf('dana.kim@example.com')).toEqual(['Viewers']);
    const said = await c.say(ERIN, GENERAL, 'make Dana Kim an editor for 2 hours');
    expect(said.status).toBe(200);
    const confirm = await c.card(ERIN, GENERAL, /^Grant `editor` to Dana Kim\?/);
    expect(confirm.ephemeral).toBe(true);
    // Not into the mention's thread: Slack shows an ephemeral in a thread only if the thread exists.
    expect(confirm.threadTs ?? undefined).toBeUndefined();
    expect(JSON.stringify(confirm.card.fields)).toContain('2h');
    // Slack's rule: an ephemeral is not shown to anyone else.
    expect((await c.messages(ALEX, GENERAL)).some((m) => m.ts === confirm.ts)).toBe(false);
    expect((await c.click(ERIN, GENERAL, confirm.ts, buttonIndex(confirm, 'Confirm'))).status).toBe(200);
    // The confirmation card is replaced in place, as Slack's response_url does: no stale buttons.
    const spent = (await c.messages(ERIN, GENERAL)).find((m) => m.ts === confirm.ts)!;
    expect(spent.card.text).toBe('Grant `editor` to Dana Kim for 2h');
    expect(spent.card.context).toMatch(/^Confirmed · waiting for approval · Request /);
    expect(spent.card.buttons ?? []).toEqual([]);

    const ask = await c.card(ALEX, APPROVALS, /asks to grant `editor` for Dana Kim/);
    expect(ask.ephemeral).toBe(false);
    expect((await c.click(ALEX, APPROVALS, ask.ts, buttonIndex(ask, 'Approve'))).status).toBe(200);
    expect(c.groupsOf('dana.kim@example.com').sort()).toEqual(['Editors', 'Viewers']);
    // The approval message is updated in place: who decided, and no buttons any more.
    const decided = (await c.messages(ALEX, APPROVALS)).find((m) => m.ts === ask.ts)!;
    expect(decided.edited).toBe(true);
    expect(decided.card.buttons ?? []).toEqual([]);
    // The requester hears the outcome in the thread of the request.
    const done = await c.card(ERIN, GENERAL, /^Done: granted `editor` to Dana Kim until /);
    expect(done.threadTs).toBe(said.body.ts);
  });

  it('refuses self-approval, then another approver decides', async () => {
    await c.say(ALEX, GENERAL, 'make Victor Vance an admin for 1 hour');
    const confirm = await c.card(ALEX, GENERAL, /^Grant `admin` to Victor Vance\?/);
    await c.click(ALEX, GENERAL, confirm.ts, buttonIndex(confirm, 'Confirm'));
    const ask = await c.card(ALEX, APPROVALS, /asks to grant `admin` for Victor Vance/);
    await c.click(ALEX, APPROVALS, ask.ts, buttonIndex(ask, 'Approve'));
    const refusal = await c.card(ALEX, APPROVALS, /can't approve your own request/);
    expect(refusal.ephemeral).toBe(true);
    expect(c.groupsOf('vic@example.com')).toEqual(['Viewers']);
    await c.click(OLIVIA, APPROVALS, ask.ts, buttonIndex(ask, 'Approve'));
    expect(c.groupsOf('vic@example.com').sort()).toEqual(['Admins', 'Viewers']);
  });

  it('deny needs a reason; the requester hears it and nothing changes', async () => {
    await c.say(ERIN, GENERAL, 'make Dana Lee a viewer');
    const confirm = await c.card(ERIN, GENERAL, /^Grant `viewer` to Dana Lee\?/);
    await c.click(ERIN, GENERAL, confirm.ts, buttonIndex(confirm, 'Confirm'));
    const ask = await c.card(OLIVIA, APPROVALS, /asks to grant `viewer` for Dana Lee/);
    const deny = buttonIndex(ask, 'Deny');
    const noReason = await c.click(OLIVIA, APPROVALS, ask.ts, deny, '   ');
    expect(noReason).toEqual({ status: 400, body: { error: 'give a reason for the requester' } });
    expect((await c.click(OLIVIA, APPROVALS, ask.ts, deny, 'not this quarter')).status).toBe(200);
    const told = await c.card(ERIN, GENERAL, /was denied/);
    expect(told.card.text).toContain('“not this quarter”');
    expect(c.groupsOf('dana.lee@example.com')).toEqual([]);
  });

  it('asks “which Dana?” and proposes the change for the one picked', async () => {
    await c.say(OLIVIA, dmChannelOf(OLIVIA), 'make Dana an editor');
    const which = await c.card(OLIVIA, dmChannelOf(OLIVIA), /More than one person matches “Dana”/);
    expect(which.card.buttons?.map((b) => b.text).sort()).toEqual([
      'Dana Kim (dana.kim@example.com)',
      'Dana Lee (dana.lee@example.com)',
    ]);
    await c.click(
      OLIVIA,
      dmChannelOf(OLIVIA),
      which.ts,
      buttonIndex(which, 'Dana Lee (dana.lee@example.com)'),
    );
    const confirm = await c.card(OLIVIA, dmChannelOf(OLIVIA), /^Grant `editor` to Dana Lee\?/);
    await c.click(OLIVIA, dmChannelOf(OLIVIA), confirm.ts, buttonIndex(confirm, 'Confirm'));
    expect(c.groupsOf('dana.lee@example.com')).toContain('Editors');
    expect((await c.card(OLIVIA, dmChannelOf(OLIVIA), /^Done: granted `editor` to Dana Lee/)).ephemeral).toBe(
      false,
    );
  });

  it('self-service needs no approval, and a duration over the maximum is capped on the card', async () => {
    await c.say(DANA_LEE, dmChannelOf(DANA_LEE), 'make me a viewer');
    const mine = await c.card(DANA_LEE, dmChannelOf(DANA_LEE), /^Grant `viewer` to Dana Lee\?/);
    expect(mine.card.sections?.join()).toMatch(/Applied as soon as you confirm/);
    await c.click(DANA_LEE, dmChannelOf(DANA_LEE), mine.ts, buttonIndex(mine, 'Confirm'));
    expect(c.groupsOf('dana.lee@example.com')).toContain('Viewers');
    await c.say(ERIN, dmChannelOf(ERIN), 'make Olivia Park an editor for 3 days');
    const confirm = await c.card(ERIN, dmChannelOf(ERIN), /^Grant `editor` to Olivia Park\?/);
    expect(confirm.card.fields).toContainEqual(['Duration', '8h (capped by policy)']);
  });

  it('App Home shows an approver what waits for them', async () => {
    await c.say(ERIN, GENERAL, 'make Dana Lee a viewer for 1 hour');
    const confirm = await c.card(ERIN, GENERAL, /^Grant `viewer` to Dana Lee\?/);
    await c.click(ERIN, GENERAL, confirm.ts, buttonIndex(confirm, 'Confirm'));
    const home = (await (await fetch(`${c.p.url}/api/home?as=${ALEX}`)).json()) as {
      sections: { title: string; lines: RichText[] }[];
    };
    const waiting = home.sections.find((s) => s.title === 'Waiting for your approval');
    expect(waiting?.lines.map(mrkdwn).join('\n')).toMatch(/viewer` for Dana Lee/);
    expect(home.sections.map((s) => s.title)).toContain('Latest audit records');
  });

  it("keeps Slack's visibility rules: no one else's DM, no button from a message one cannot see", async () => {
    const other = await fetch(`${c.p.url}/api/messages?as=${ERIN}&channel=${dmChannelOf(ALEX)}`);
    expect(other.status).toBe(400);
    expect((await c.say(ERIN, dmChannelOf(ALEX), 'make me an admin')).status).toBe(400);
    await c.say(ALEX, dmChannelOf(ALEX), 'make Dana Kim an admin for 1 hour');
    const confirm = await c.card(ALEX, dmChannelOf(ALEX), /^Grant `admin` to Dana Kim\?/);
    // Erin cannot press Alex's button, whatever she sends.
    expect((await c.click(ERIN, dmChannelOf(ALEX), confirm.ts, 0)).status).toBe(400);
    expect((await c.click(ERIN, GENERAL, confirm.ts, 0)).body).toEqual({ error: 'no such button' });
    expect((await c.click('U0NOBODY', GENERAL, confirm.ts, 0)).status).toBe(400);
  });

  it('refuses bad input with a clear error', async () => {
    expect((await c.say(ERIN, GENERAL, '   ')).body).toEqual({ error: 'say something' });
    expect((await c.say(ERIN, GENERAL, 'x'.repeat(4001))).status).toBe(400);
    const form = await fetch(`${c.p.url}/api/say`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `as=${ERIN}&channel=${GENERAL}&text=hi`,
    });
    expect(form.status).toBe(415);
    const notJson = await fetch(`${c.p.url}/api/say`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
    const big = await fetch(`${c.p.url}/api/say`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ as: ERIN, channel: GENERAL, text: 'y'.repeat(70_000) }),
    });
    expect(big.status).toBe(413);
    expect((await fetch(`${c.p.url}/api/nothing`)).status).toBe(404);
  });

  it('answers only for 127.0.0.1 and localhost (no DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${c.p.url}/api/people`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status(`evil.example:${c.p.surface.port}`)).toBe(421);
    expect(await status(`localhost:${c.p.surface.port}`)).toBe(200);
  });

  it('serves the page with a strict Content-Security-Policy, and /healthz, /readyz, /metrics', async () => {
    await c.say(DANA_LEE, dmChannelOf(DANA_LEE), 'make me a viewer');
    const mine = await c.card(DANA_LEE, dmChannelOf(DANA_LEE), /^Grant `viewer` to Dana Lee\?/);
    await c.click(DANA_LEE, dmChannelOf(DANA_LEE), mine.ts, buttonIndex(mine, 'Confirm'));
    const page = await fetch(`${c.p.url}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'sha256-[^']+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.text()).toContain('<title>Rolecall playground</title>');
    expect(await (await fetch(`${c.p.url}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${c.p.url}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${c.p.url}/metrics`)).text();
    expect(metrics).toMatch(/rolecall_requests_total\{outcome="applied"\} [1-9]/);
  });

  it('streams a change event when anything is said', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${c.p.url}/api/events`, { signal: ctl.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    await reader.read(); // the retry hint
    const next = reader.read();
    await c.say(VIC, GENERAL, 'what roles do I have?');
    expect(new TextDecoder().decode((await next).value)).toContain('data: change');
    ctl.abort();
  });
});
