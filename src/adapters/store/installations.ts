import type { Clock } from '../../ports/clock.ts';
import type { Installations } from '../../ports/installations.ts';
import type { MongoStoreSet } from './mongo/index.ts';
import { MongoInstallations } from './mongo/installations.ts';
import type { StoreSet } from './shared.ts';
import type { SqliteStoreSet } from './sqlite/index.ts';
import { SqliteInstallations } from './sqlite/installations.ts';

/**
 * The installation store lives in the same store as requests (same SQLite file, same MongoDB
 * database), with its own migrations; opened only when OAuth distribution is on.
 */
export async function openInstallations(stores: StoreSet, clock: Clock): Promise<Installations> {
  const s = stores as SqliteStoreSet | MongoStoreSet;
  if (s.kind === 'sqlite') return new SqliteInstallations(s.connection, clock);
  return MongoInstallations.open(s.connection);
}
