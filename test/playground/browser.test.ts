import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { code, link, mention, rich, strong, time } from '../../src/core/rich-text.ts';
import { ALEX, type Client, DANA_KIM, ERIN, OLIVIA, startClient } from './helpers.ts';

/**
 * The playground page in Debian's headless Chromium, clicked through like a newcomer would. No
 * sleeps: every step waits for what it needs to see.
 *
 * Skipped only where /usr/bin/chromium is absent and CI is not set (a developer machine without
 * `apt-get install chromium`). With CI set it runs anyway and fails loudly without the browser;
 * .ci/run installs chromium before `npm test`.
 *
 * One browser for the file, a fresh playground for every test: no test depends on another's changes.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const ARTIFACTS = resolve(import.meta.dirname, '../.artifacts');

let c: Client;
let browser: BrowserContext;
let page: Page;
let profile: string;

async function as(person: string, channel: string): Promise<void> {
  await page.selectOption('#as', person);
  await page.click(`nav [data-channel="${channel}"]`);
  await page.locator(`nav [data-channel="${channel}"].active`).waitFor();
}

async function send(text: string): Promise<void> {
  const sent = Number((await page.getAttribute('body', 'data-sent')) ?? 0);
  await page.fill('#text', text);
  await page.click('#send');
  await page.locator(`body[data-sent="${sent + 1}"]`).waitFor();
}

/** Waits for the latest message whose card shows `text`, then pins it by its ts (re-renders replace the DOM). */
async function card(text: string) {
  const found = page.locator('.msg', { has: page.locator('.card', { hasText: text }) }).last();
  await found.waitFor();
  return page.locator(`.msg[data-ts="${await found.getAttribute('data-ts')}"]`);
}

/** Playwright-core has no web-first assertions: wait for the condition instead. */
const shows = (loc: Locator, text: string) => loc.filter({ hasText: text }).waitFor();
const gone = (loc: Locator) => loc.first().waitFor({ state: 'detached' });

/**
 * The element's box once it is laid out. Playwright answers null when the element it resolved was
 * replaced by a re-render in between (CI under load hit this), so wait for a box, never sleep.
 */
async function boxOf(loc: Locator) {
  let box: Awaited<ReturnType<Locator['boundingBox']>> = null;
  await expect
    .poll(
      async () => {
        box = await loc.boundingBox();
        return box;
      },
      { timeout: 20_000 },
    )
    .not.toBeNull();
  if (!box) throw new Error('no bounding box');
  return box as { x: number; y: number; width: number; height: number };
}

describe.skipIf(!hasChromium && !process.env.CI)('playground in headless Chromium', () => {
  beforeAll(async () => {
    if (!hasChromium)
      throw new Error(
        `${CHROMIUM} is missing; CI must install it (apt-get install -y chromium, see .ci/run)`,
      );
    profile = mkdtempSync(join(tmpdir(), 'rolecall-chromium-'));
    // A fresh profile per run (Playwright's way to pass --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1200, height: 760 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(20_000);
    page.on('dialog', (d) => {
      throw new Error(`unexpected dialog: ${d.message()}`);
    });
  }, 60_000);

  beforeEach(async () => {
    c = await startClient();
    await page.setViewportSize({ width: 1200, height: 760 });
    await page.goto(c.p.url);
    await page.locator('body[data-ready="1"]').waitFor();
  });

  afterEach(async () => {
    await c?.p.stop();
  });

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('request, confirm, approve as someone else: the directory changes', { timeout: 60_000 }, async () => {
    await as(ERIN, 'C0GENERAL');
    await send('make Dana Kim an editor for 2 hours');
    const confirm = await card('Grant editor to Dana Kim?');
    await shows(confirm.locator('.meta'), 'only visible to you');
    // Erin (editor) may ask for others but not view their roles: the card has no "Roles now" field.
    expect(await confirm.locator('dt').allTextContents()).not.toContain('Roles now → after');
    expect(await confirm.locator('dt:text-is("Duration") + dd').textContent()).toBe('2h');
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    await card('Sent for approval');

    await as(ALEX, 'C0APPROVALS');
    const ask = await card('asks to grant editor for Dana Kim');
    await shows(ask, '@Erin Chen');
    await ask.getByRole('button', { name: 'Approve' }).click();
    await page.locator(`#people [data-person="${DANA_KIM}"]`, { hasText: 'editor' }).waitFor();
    expect(c.groupsOf('dana.kim@example.com').sort()).toEqual(['Editors', 'Viewers']);
    await gone(ask.getByRole('button'));

    await as(ERIN, 'C0GENERAL');
    await card('Done: granted editor to Dana Kim until');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'playground.png') });
    // `UPDATE_SCREENSHOT=1 npx vitest run test/playground/browser.test.ts` refreshes the README's picture.
    if (process.env.UPDATE_SCREENSHOT)
      await page.screenshot({ path: resolve(import.meta.dirname, '../../docs/playground.png') });
    expect(existsSync(join(ARTIFACTS, 'playground.png'))).toBe(true);
  });

  it('deny asks for a reason and tells the requester', { timeout: 60_000 }, async () => {
    await as(ERIN, 'C0GENERAL');
    await send('make Dana Lee a viewer');
    await (await card('Grant viewer to Dana Lee?')).getByRole('button', { name: 'Confirm' }).click();
    await as(OLIVIA, 'C0APPROVALS');
    const ask = await card('asks to grant viewer for Dana Lee');
    await ask.getByRole('button', { name: 'Deny' }).click();
    await ask.locator('input.reason').fill('not this quarter');
    // Something else arrives while the reason is typed: the page re-renders, the reason stays.
    await c.say(ALEX, 'C0APPROVALS', 'looking at this one');
    await page.locator('.msg .text', { hasText: 'looking at this one' }).waitFor();
    expect(await ask.locator('input.reason').inputValue()).toBe('not this quarter');
    await ask.locator('button.deny-submit').click();
    await gone(ask.getByRole('button', { name: 'Approve' }));
    await as(ERIN, 'C0GENERAL');
    await card('was denied: “not this quarter”');
    expect(c.groupsOf('dana.lee@example.com')).toEqual([]);
  });

  it('refuses self-approval', { timeout: 60_000 }, async () => {
    await as(ALEX, 'C0GENERAL');
    await send('make Victor Vance an admin for 1 hour');
    await (await card('Grant admin to Victor Vance?')).getByRole('button', { name: 'Confirm' }).click();
    await as(ALEX, 'C0APPROVALS');
    await (await card('asks to grant admin for Victor Vance'))
      .getByRole('button', { name: 'Approve' })
      .click();
    await card("You can't approve your own request.");
    expect(c.groupsOf('vic@example.com')).toEqual(['Viewers']);
  });

  it('shows what people type as text, never as markup', { timeout: 60_000 }, async () => {
    await as(ERIN, 'C0GENERAL');
    const hostile = '<img src=x onerror="globalThis.__pwned=1"> *not bold* <b>nor this</b>';
    await send(hostile);
    await page.locator('.msg .text').getByText(hostile, { exact: true }).waitFor();
    expect(await page.locator('#log img, #log b').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('renders a card’s neutral rich text as DOM nodes, never parsing it', { timeout: 60_000 }, async () => {
    await as(ERIN, 'C0GENERAL');
    const hostile = '<img src=x onerror="globalThis.__pwned=1"> *not bold* <@U0ERIN> &amp;';
    await c.p.chat.post('C0GENERAL', {
      text: rich`Grant ${code('editor')} to ${mention(DANA_KIM)} until ${time('2030-01-01T09:30:00.000Z')}?`,
      fields: [['Reason', hostile]],
      sections: [rich`${strong('What happens next:')} see ${link('https://example.com/docs', 'the docs')}`],
      context: 'Request r-dom',
    });
    const box = await card('Request r-dom');
    expect(await box.locator('code').allTextContents()).toEqual(['editor']);
    expect(await box.locator('.mention').textContent()).toBe('@Dana Kim');
    expect(await box.locator('time').getAttribute('datetime')).toBe('2030-01-01T09:30:00.000Z');
    expect(await box.locator('time').textContent()).toMatch(/2030/);
    expect(await box.locator('strong:not(.mention)').textContent()).toBe('What happens next:');
    expect(await box.locator('a').getAttribute('href')).toBe('https://example.com/docs');
    // What a person typed is text, exactly as typed: no element, no entity decoding, no mention.
    expect(await box.locator('dt:text-is("Reason") + dd').textContent()).toBe(hostile);
    expect(await box.locator('img, b').count()).toBe(0);
    expect(await box.locator('.mention').count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('App Home lists what waits for an approver', { timeout: 60_000 }, async () => {
    await as(ERIN, 'C0GENERAL');
    await send('make Dana Lee a viewer for 1 hour');
    await (await card('Grant viewer to Dana Lee?')).getByRole('button', { name: 'Confirm' }).click();
    await card('Sent for approval');
    await as(OLIVIA, 'home');
    await shows(page.locator('#home section'), 'viewer for Dana Lee');
    await shows(page.locator('#home section h3'), 'Latest audit records');
    expect(await page.locator('#composer').isVisible()).toBe(false);
    expect(await page.locator('#home h3').allTextContents()).toEqual([
      'Your requests',
      'Your time-bound roles',
      'Waiting for your approval',
      'Latest audit records',
    ]);
  });
  it('a message not understood offers the request form, pre-filled; sending it makes the request', {
    timeout: 60_000,
  }, async () => {
    await as(ERIN, 'C0GENERAL');
    await send('could you sort out editor access for Dana Kim for 2 hours since ticket SUP-1182');
    const offer = await card("I didn't understand all of that");
    await shows(offer, 'What I understood');
    await offer.getByRole('button', { name: 'Open the request form' }).click();
    const form = page.locator('#form-pane');
    await form.waitFor();
    expect(await page.inputValue('#form-role')).toBe('editor');
    expect(await page.inputValue('#form-duration')).toBe('7200000');
    expect(await page.inputValue('#form-reason')).toBe('ticket SUP-1182');
    await page.selectOption('#form-who', DANA_KIM);
    await page.click('#form-submit');
    await form.waitFor({ state: 'hidden' });
    const confirm = await card('Grant editor to Dana Kim?');
    // By its label: Erin (editor) may not view Dana's roles, so the card has no "Roles now" field (issue 13.3).
    expect(await confirm.locator('dt:text-is("Duration") + dd').textContent()).toBe('2h');
    await shows(confirm, 'ticket SUP-1182');
  });

  it('help says what this person may ask for, and who approves', { timeout: 60_000 }, async () => {
    await as(ERIN, 'C0GENERAL');
    await send('help');
    const help = await card('Here is what you can ask me for');
    await shows(help, 'approved by someone holding admin or owner');
    await shows(help, 'Who could help');
    await page.click('#thread-close');
    await gone(page.locator('#thread:not([hidden])'));
  });

  it('is usable at 420 px: no sideways scrolling, threads open over the channel', {
    timeout: 60_000,
  }, async () => {
    await page.setViewportSize({ width: 420, height: 800 });
    await as(ERIN, 'C0GENERAL');
    await send('make Dana Kim an editor for 2 hours');
    const confirm = await card('Grant editor to Dana Kim?');
    const box = await boxOf(confirm);
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(420);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(420);
    await page.click('#thread-close');
    await page.locator('#thread').waitFor({ state: 'hidden' });
    // Back in the channel: the card (top level: Slack shows an ephemeral in a thread only if the
    // thread exists, issue 14), and the composer within reach.
    await page.locator('#log', { hasText: 'Grant editor to Dana Kim?' }).waitFor();
    const button = await boxOf(page.locator('#send'));
    expect(button.x + button.width).toBeLessThanOrEqual(420);
    expect(button.y + button.height).toBeLessThanOrEqual(800);
    expect(button.width).toBeGreaterThan(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'playground-420.png') });
  });
});
