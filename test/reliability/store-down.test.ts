import { afterAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../support/bot-world.ts';
import { startJongodb } from '../support/mongo-server.ts';
import type { ApiCall } from '../support/slack-emulator.ts';

/**
 * The store goes away mid-run (the MongoDB server is stopped under a running bot): Rolecall fails
 * closed. A confirm click and a new request both get the store error card, the bot stays up, and
 * nothing is written to the directory.
 */
let world: World | undefined;
let mongo: Awaited<ReturnType<typeof startJongodb>> | undefined;
afterAll(async () => {
  await world?.close();
  await mongo?.stop();
});

describe('reliability: store unavailable', () => {
  it('fails closed: no SCIM write without a durable record, clear error cards, process alive', async () => {
    mongo = await startJongodb();
    const uri = `${mongo.uri}${mongo.uri.includes('?') ? '&' : '?'}serverSelectionTimeoutMS=1000`;
    world = await startWorld({ scim: 'own', targets: 2, mongoUri: uri });
    const w = world;
    const [t1, t2] = w.targets;
    await w.say('C5STORE1', `make <@${t1!.slack}> an editor`);
    const card = await w.card('C5STORE1');
    const before = w.own!.requests.filter((r) => r.method === 'PATCH').length;
    await mongo.stop();
    expect((await w.click('C5STORE1', 'rc_confirm', card.requestId)).status).toBe(200);
    const storeError = (c: ApiCall) =>
      /couldn't record this request, so nothing was changed/.test(String(c.args.text));
    await w.answer('C5STORE1', storeError);
    expect((await w.say('C5STORE2', `make <@${t2!.slack}> an editor`)).status).toBe(200);
    await w.answer('C5STORE2', storeError);
    expect(w.own!.requests.filter((r) => r.method === 'PATCH').length).toBe(before);
    expect(w.own!.state.groupsOf(t1!.userName)).not.toContain('Editors');
    expect(w.bot.child.exitCode).toBeNull();
    expect((await w.bot.ask<{ rssBytes: number }>('stats')).rssBytes).toBeGreaterThan(0);
  });
});
