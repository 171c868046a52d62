import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * A MongoDB to test against. MONGODB_URI wins (a real server, e.g. a replica set in CI); otherwise
 * jongodb, an in-memory MongoDB-wire server, on 127.0.0.1 with a random port, started as a
 * single-node replica set so the driver behaves as it does against production topologies.
 * jongodb cannot drop databases, so isolation is a fresh database name per test.
 */
export interface TestMongo {
  kind: 'external' | 'jongodb';
  uri: string;
  /** A database name nobody else uses. */
  freshDbName(prefix?: string): string;
  /** Stops the server (jongodb) or does nothing (external). */
  stop(): Promise<void>;
}

export function jongodbBinary(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@jongodb/memory-server-bin-linux-x64-gnu/package.json');
  return join(dirname(pkg), 'bin', 'jongodb');
}

export async function startTestMongo(): Promise<TestMongo> {
  const external = process.env.MONGODB_URI?.trim();
  if (external) {
    return { kind: 'external', uri: external, freshDbName, stop: async () => undefined };
  }
  const server = await startJongodb();
  return { kind: 'jongodb', uri: server.uri, freshDbName, stop: server.stop };
}

function freshDbName(prefix = 'rolecall_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Starts jongodb and resolves once it prints its URI (its ready signal). */
export async function startJongodb(): Promise<{ uri: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(
    jongodbBinary(),
    ['--host=127.0.0.1', '--port=0', '--topology-profile=singleNodeReplicaSet', '--replica-set-name=rs0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const uri = await readyUri(child);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  return { uri, pid: child.pid ?? -1, stop };
}

function readyUri(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const m = /^JONGODB_URI=(\S+)$/m.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(
        new Error(`jongodb exited before ready (code ${code}, signal ${signal}): ${err.slice(0, 2000)}`),
      ),
    );
  });
}
