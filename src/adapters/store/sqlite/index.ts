import type { AuditKeyring } from '../audit-keys.ts';
import type { StoreSet } from '../shared.ts';
import { SqliteAuditLog } from './audit-log.ts';
import { openConnection, type SqliteConnection, type SqliteOptions } from './connection.ts';
import { SqliteEventDeduplicator, SqliteRequestStore } from './request-store.ts';

export type { SqliteOptions } from './connection.ts';

export interface SqliteStoreSet extends StoreSet {
  kind: 'sqlite';
  /** The open connection (for doctor output and tests that read pragmas); not for writes. */
  connection: SqliteConnection;
}

/** Opens (creating and migrating if needed) `<dataDir>/rolecall.sqlite`. Throws STORE.UNAVAILABLE. */
export function openSqliteStores(opts: SqliteOptions & { auditKeys?: AuditKeyring }): SqliteStoreSet {
  const connection = openConnection(opts);
  const audit = new SqliteAuditLog(connection, opts.auditKeys);
  const requests = new SqliteRequestStore(connection, opts.clock, audit);
  return {
    kind: 'sqlite',
    connection,
    requests,
    events: new SqliteEventDeduplicator(connection),
    audit,
    close: async () => connection.close(),
  };
}
