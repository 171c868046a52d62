import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../log/logger.ts';
import { openMongoStores } from './mongo/index.ts';
import type { StoreSet } from './shared.ts';
import { openSqliteStores } from './sqlite/index.ts';

export type { StoreSet } from './shared.ts';

export interface StoreEnv {
  ROLECALL_DATA_DIR?: string | undefined;
  MONGODB_URI?: string | undefined;
}

/**
 * The one place that picks the store: MongoDB when MONGODB_URI is set (several Rolecall processes
 * can share it), otherwise SQLite in ROLECALL_DATA_DIR (default ./data), for a single process.
 */
export async function openStores(opts: { env: StoreEnv; logger: Logger; clock: Clock }): Promise<StoreSet> {
  const uri = opts.env.MONGODB_URI?.trim();
  if (uri) {
    const stores = await openMongoStores({ uri, logger: opts.logger, clock: opts.clock });
    opts.logger.info({ store: 'mongodb', db: stores.connection.db.databaseName }, 'store opened');
    return stores;
  }
  const dataDir = opts.env.ROLECALL_DATA_DIR?.trim() || './data';
  const stores = openSqliteStores({ dataDir, logger: opts.logger, clock: opts.clock });
  opts.logger.info({ store: 'sqlite', path: stores.connection.path }, 'store opened');
  return stores;
}
