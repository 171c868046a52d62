import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import type { Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { MongoConnection, mongoTimeouts } from '../../src/adapters/store/mongo/connection.ts';
import { openMongoStores } from '../../src/adapters/store/mongo/index.ts';
import { jongodbBinary } from '../support/mongo-server.ts';
import { expectCode } from './contract.ts';
import { makeRequest } from './fixtures.ts';

/**
 * A store that stops answering must fail closed promptly, not hang the person waiting on it.
 * The server here is behind a TCP relay that can freeze: it keeps every connection open but passes
 * nothing on, as a hung server or a partition does. Before the adapter set its driver timeouts, a command
 * sent on a pooled connection then waited for its reply without any deadline (the driver's
 * socketTimeoutMS is 0), which is how the store-down reliability test waited past 30 s.
 */
const logger = createLogger({ level: 'silent' });
const clock = { now: () => new Date('2025-06-01T00:00:00.000Z') };
let jongodb: ReturnType<typeof spawn> | undefined;
let port = 0;

// Standalone: a replica set's hello names the server's own port, and the driver would go around the relay.
beforeAll(async () => {
  jongodb = spawn(jongodbBinary(), ['--host=127.0.0.1', '--port=0', '--topology-profile=standalone'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  for await (const chunk of jongodb.stdout!) {
    out += String(chunk);
    const m = /JONGODB_URI=mongodb:\/\/127\.0\.0\.1:(\d+)/.exec(out);
    if (m) {
      port = Number(m[1]);
      break;
    }
  }
});
afterAll(() => {
  jongodb?.kill('SIGTERM');
});

/** A TCP relay to `port`; `freeze()` stops relaying both ways while holding the sockets open. */
async function startRelay(port: number) {
  let frozen = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (d) => frozen || upstream.write(d));
    upstream.on('data', (d) => frozen || client.write(d));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    freeze: () => {
      frozen = true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('mongodb adapter: explicit driver timeouts', () => {
  it('a driver call that never settles fails closed at the deadline (the store-down hang)', async () => {
    // What the driver did in the flaky store-down run: a command written to a socket destroyed a
    // moment before waited for 'drain' for ever (no error, no timeout). On the old code this hangs.
    const conn = new MongoConnection({} as MongoClient, {} as Db, clock, logger, 200);
    await expectCode(
      conn.run('requests.get', () => new Promise<never>(() => {})),
      'STORE.UNAVAILABLE',
    );
    // deadlineMs 0: no deadline (index builds, verifying the whole chain).
    const slow = conn.run('audit.verify', () => new Promise((r) => setTimeout(() => r('done'), 400)), {
      deadlineMs: 0,
    });
    await expect(slow).resolves.toBe('done');
  }, 60_000);

  it('a hung server fails the next operation closed (STORE.UNAVAILABLE) instead of waiting for ever', async () => {
    const relay = await startRelay(port);
    const uri = `mongodb://127.0.0.1:${relay.port}/`;
    // A short deadline keeps the test quick; the old code waited ~45 s here (the driver's monitor).
    const stores = await openMongoStores({
      uri,
      dbName: `timeouts_${Date.now()}`,
      logger,
      clock,
      operationTimeoutMS: 1000,
    });
    try {
      const r = makeRequest();
      await stores.requests.create(r);
      relay.freeze();
      // No timing assertion: on the old code this never settles and the test's own timeout fails it.
      await expectCode(stores.requests.get(r.id), 'STORE.UNAVAILABLE');
    } finally {
      // Relay first: closing the client against a hung server would wait for its goodbyes.
      await relay.close();
      await stores.close().catch(() => undefined);
    }
  }, 20_000);

  it('sets each timeout explicitly, and a value in the URI is the operator’s choice', () => {
    expect(mongoTimeouts({ uri: 'mongodb://h/db' })).toEqual({
      serverSelectionTimeoutMS: 5000,
      connectTimeoutMS: 5000,
      socketTimeoutMS: 5000,
    });
    expect(mongoTimeouts({ uri: 'mongodb://h/db?socketTimeoutMS=900&connectTimeoutMS=2000' })).toEqual({
      serverSelectionTimeoutMS: 5000,
    });
    expect(mongoTimeouts({ uri: 'mongodb://h/db?socketTimeoutMS=900', socketTimeoutMS: 1500 })).toMatchObject(
      {
        socketTimeoutMS: 1500,
      },
    );
  });
});
