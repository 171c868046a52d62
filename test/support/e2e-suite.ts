import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { buttons, type E2E, type PEOPLE, startE2E } from '../e2e/harness.ts';

/**
 * The set-up the Slack end-to-end suites share (test/e2e/harness.ts): one bot world per describe
 * block, started before its tests and closed after them; `use` is handed the world. With
 * `noFlagged`, after every test the bot has settled and sent nothing Slack would accept but not
 * show (the emulator's flagged calls).
 */
export function useE2E(
  o: Parameters<typeof startE2E>[0],
  use: (e: E2E) => void,
  x: { noFlagged?: boolean } = {},
): void {
  let e: E2E | undefined;
  beforeAll(async () => {
    e = await startE2E(o);
    use(e);
  });
  afterAll(async () => {
    await e?.close();
  });
  if (x.noFlagged)
    afterEach(async () => {
      await e!.settled();
      expect(e!.slack.flagged().map((c) => `${c.method}: ${c.flags?.join('; ')}`)).toEqual([]);
    });
}

/**
 * Says `text` as `who` once the bot has settled and waits for the confirmation card ("…?") shown
 * to them: the card, what was said, where in the call log it started and the request id on its
 * Confirm button.
 */
export async function askForCard(
  e: E2E,
  who: keyof typeof PEOPLE,
  text: string,
  where: { dm?: boolean } = {},
) {
  await e.settled();
  const from = e.slack.calls.length;
  const said = await e.say(who, text, where);
  const c = await e.replyTo(who, /\?$/, from);
  return { ...c, said, from, requestId: buttons(c.blocks).find((b) => b.actionId === 'rc_confirm')?.value };
}
