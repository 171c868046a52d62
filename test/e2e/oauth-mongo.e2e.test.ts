import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMongo, type TestMongo } from '../support/mongo-server.ts';
import { type OAuthE2E, startOAuthE2E } from './oauth-harness.ts';

/** The installation collection in MongoDB: installs, per-workspace tokens, sealed at rest. */
describe('OAuth distribution on MongoDB (Socket Mode)', () => {
  let mongo: TestMongo;
  let e: OAuthE2E;
  let dbName: string;
  beforeAll(async () => {
    mongo = await startTestMongo();
    dbName = mongo.freshDbName();
    const uri = new URL(mongo.uri);
    uri.pathname = `/${dbName}`;
    e = await startOAuthE2E({ mode: 'socket', mongoUri: uri.toString() });
  });
  afterAll(async () => {
    await e?.close();
    await mongo?.stop();
  });

  it('installs two workspaces, answers each with its own token, keeps no token readable', async () => {
    expect((await e.install('T0ACME')).status).toBe(200);
    expect((await e.install('T0BETA')).status).toBe(200);
    for (const [who, target, team] of [
      ['alice', 'U0BOB', 'T0ACME'],
      ['bill', 'U0BEA', 'T0BETA'],
    ] as const) {
      const from = e.slack.calls.length;
      await e.say(who, `what roles does <@${target}> have?`);
      await e.replyTo(who, new RegExp(`${target}.* has: `), from);
      await e.settled();
      expect(e.slack.calls.slice(from).every((c) => c.workspace === team)).toBe(true);
    }
    const client = new MongoClient(mongo.uri);
    try {
      const docs = await client.db(dbName).collection('installations').find({}).toArray();
      expect(docs.map((d) => d._id).sort()).toEqual(['T0ACME', 'T0BETA']);
      const raw = JSON.stringify(docs);
      for (const i of e.slack.oauth!.installs.values()) expect(raw).not.toContain(i.token);
      expect(docs.every((d) => String(d.sealed).startsWith('rc1:k1:'))).toBe(true);
    } finally {
      await client.close();
    }
  });
});
