// Runs in a worker thread (loaded by Node directly): its own connection, appending concurrently
// with other threads, so the SQLite write lock is what keeps the chain whole.
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { openSqliteStores } from '../../src/adapters/store/sqlite/index.ts';

const { dataDir, id, count } = workerData as { dataDir: string; id: number; count: number };
const stores = openSqliteStores({
  dataDir,
  logger: createLogger({ level: 'silent' }),
  clock: { now: () => new Date() },
});
const seqs: number[] = [];
for (let i = 0; i < count; i++) {
  const r = await stores.audit.append({
    kind: 'requested',
    at: new Date(Date.UTC(2025, 0, 1)).toISOString(),
    tenantId: 'T1',
    note: `worker ${id} #${i}`,
  });
  seqs.push(r.seq);
}
await stores.close();
parentPort?.postMessage(seqs);
