import { startWorld } from '../test/support/bot-world.ts';
import { change } from './lib/conversation.ts';
import { log, median, quantile, round, writeResult } from './lib/stats.ts';

interface Req {
  id: string;
  state: string;
  grantEndsAt?: string;
  updatedAt: string;
}

/**
 * Revocation lag, due → revoked, with the real clock: grants "for 1 minute" issued a few seconds
 * apart, then the scheduler (interval 1 s and 5 s, two bots side by side) revokes them. The lag of
 * one grant is the `revoked` save time minus `grantEndsAt`.
 */
async function lagWith(intervalMs: number, grants: number) {
  const w = await startWorld({ scim: 'better-auth', targets: grants, schedulerMs: intervalMs });
  try {
    for (const t of w.targets) await change(w, `make <@${t.slack}> an editor for 1 minute`);
    const deadline = Date.now() + 150_000;
    let reqs: Req[] = [];
    for (;;) {
      reqs = (await w.bot.ask<Req[]>('requests')).filter((r) => r.grantEndsAt);
      if (reqs.every((r) => r.state === 'revoked' || r.state === 'revoke_failed') || Date.now() > deadline)
        break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const lags = reqs
      .filter((r) => r.state === 'revoked')
      .map((r) => Date.parse(r.updatedAt) - Date.parse(r.grantEndsAt!));
    return {
      intervalMs,
      grants: reqs.length,
      revoked: lags.length,
      lagMs: { p50: round(median(lags)), p99: round(quantile(lags, 0.99)), max: round(Math.max(...lags)) },
    };
  } finally {
    await w.close();
  }
}

export async function benchRevocation(quick: boolean): Promise<void> {
  const grants = quick ? 5 : 15;
  const runs = await Promise.all([lagWith(1_000, grants), lagWith(5_000, grants)]);
  log(`revocation: ${JSON.stringify(runs)}`);
  writeResult('revocation', { scim: 'Better Auth 1.7.5', runs }, quick);
}
