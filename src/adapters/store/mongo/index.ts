import type { AuditKeyring } from '../audit-keys.ts';
import type { StoreSet } from '../shared.ts';
import { MongoAuditLog } from './audit-log.ts';
import { connectMongo, type MongoConnection, type MongoOptions } from './connection.ts';
import { MongoEventDeduplicator, MongoRequestStore } from './request-store.ts';

export type { MongoOptions } from './connection.ts';

export interface MongoStoreSet extends StoreSet {
  kind: 'mongodb';
  connection: MongoConnection;
}

/** Connects, checks the schema version and creates indexes. Throws STORE.UNAVAILABLE. */
export async function openMongoStores(
  opts: MongoOptions & { auditKeys?: AuditKeyring },
): Promise<MongoStoreSet> {
  const connection = await connectMongo(opts);
  const audit = new MongoAuditLog(connection, opts.auditKeys);
  return {
    kind: 'mongodb',
    connection,
    requests: new MongoRequestStore(connection, audit),
    events: new MongoEventDeduplicator(connection),
    audit,
    close: () => connection.close(),
  };
}
