import type { World } from '../../test/support/bot-world.ts';
import { busyTime } from '../../test/support/timing-proxy.ts';

let channelSeq = 0;

export interface ChangeSample {
  /** HTTP 200 times of the mention and of the confirm click. */
  acks: number[];
  /** Mention → card plus confirm click → outcome message. */
  e2eMs: number;
  scimMs: number;
  slackMs: number;
  scimCalls: number;
  fullListings: number;
  ok: boolean;
  /** When Rolecall was working on it: mention → card, click → outcome. */
  windows: [number, number][];
  /** Time inside LLM calls, filled in by a caller that times them. */
  llmMs: number;
}

/** One conversation: mention → confirmation card → confirm → outcome, in a channel of its own. */
export async function change(w: World, text: string): Promise<ChangeSample> {
  const channel = `C9${(++channelSeq).toString(36).toUpperCase().padStart(6, '0')}`;
  const s0 = w.scim.calls.length;
  const said = await w.say(channel, text);
  const card = await w.card(channel, 120_000);
  const clickAt = performance.now();
  const clicked = await w.click(channel, 'rc_confirm', card.requestId);
  const done = await w.outcome(channel, /^Done:|could not|failed|went wrong/i, 120_000);
  const windows: [number, number][] = [
    [said.at, card.at],
    [clickAt, done.at],
  ];
  const inWindows = (calls: World['scim']['calls']) =>
    calls.filter((c) => windows.some(([a, b]) => c.start >= a && c.start <= b));
  const mine = inWindows(w.scim.calls.slice(s0));
  const sum = (f: (a: number, b: number) => number) => windows.reduce((n, [a, b]) => n + f(a, b), 0);
  return {
    acks: [said.ms, clicked.ms],
    e2eMs: sum((a, b) => b - a),
    scimMs: sum((a, b) => busyTime(w.scim.calls, a, b)),
    slackMs: sum((a, b) => busyTime(w.slackApi.calls, a, b)),
    scimCalls: mine.length,
    fullListings: mine.filter((c) => /\/(Users|Groups)(\?|$)/.test(c.path) && !/[?&]filter=/.test(c.path))
      .length,
    ok: /^Done:/.test(done.text) && said.status === 200 && clicked.status === 200,
    windows,
    llmMs: 0,
  };
}

/** Grant then revoke `editor` for a target, `rounds` times. */
export async function loop(w: World, target: string, rounds: number, out: ChangeSample[]): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    out.push(await change(w, `make <@${target}> an editor`));
    out.push(await change(w, `remove <@${target}>'s editor role`));
  }
}
