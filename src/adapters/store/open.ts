import { join } from 'node:path';
import { RolecallError } from '../../core/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../log/logger.ts';
import { AnchoredAuditLog } from './audit-checkpoint.ts';
import { parseAuditKeys } from './audit-keys.ts';
import type { StoreSet } from './shared.ts';
import { openSqliteStores } from './sqlite/index.ts';

export type { StoreSet } from './shared.ts';

export interface StoreEnv {
  ROLECALL_DATA_DIR?: string | undefined;
  MONGODB_URI?: string | undefined;
  ROLECALL_AUDIT_KEYS?: string | undefined;
  ROLECALL_AUDIT_CHECKPOINTS?: string | undefined;
  NODE_ENV?: string | undefined;
}

export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

/**
 * The one place that picks the store: MongoDB when MONGODB_URI is set (several Rolecall processes
 * can share it), otherwise SQLite in ROLECALL_DATA_DIR (default ./data), for a single process.
 * The audit log is keyed from ROLECALL_AUDIT_KEYS and anchored by checkpoints (README: Security).
 */
export async function openStores(opts: { env: StoreEnv; logger: Logger; clock: Clock }): Promise<StoreSet> {
  const auditKeys = parseAuditKeys(opts.env.ROLECALL_AUDIT_KEYS);
  if (!auditKeys.signing) {
    if (opts.env.NODE_ENV?.trim() === 'production')
      throw new RolecallError(
        'CONFIG.INVALID',
        'ROLECALL_AUDIT_KEYS is required when NODE_ENV=production: without a key, anyone who can write the database can rewrite the audit chain (README: Security)',
      );
    opts.logger.warn(
      'AUDIT CHAIN UNKEYED: ROLECALL_AUDIT_KEYS is not set, so anyone who can write the database can rewrite the audit chain and reseal it. Fine for the playground and tests; set it in production (README: Security).',
    );
  }
  const uri = opts.env.MONGODB_URI?.trim();
  const configured = opts.env.ROLECALL_AUDIT_CHECKPOINTS?.trim() || undefined;
  let stores: StoreSet;
  let checkpointFile: string | undefined;
  if (uri) {
    // Loaded only here: the MongoDB driver costs ~33 MiB RSS in a process that runs on SQLite.
    const { openMongoStores } = await import('./mongo/index.ts');
    const mongo = await openMongoStores({ uri, logger: opts.logger, clock: opts.clock, auditKeys });
    opts.logger.info({ store: 'mongodb', db: mongo.connection.db.databaseName }, 'store opened');
    stores = mongo;
    // Several processes share one MongoDB: each needs a file of its own choosing, so no default.
    checkpointFile = configured;
  } else {
    const dataDir = opts.env.ROLECALL_DATA_DIR?.trim() || './data';
    const sqlite = openSqliteStores({ dataDir, logger: opts.logger, clock: opts.clock, auditKeys });
    opts.logger.info({ store: 'sqlite', path: sqlite.connection.path }, 'store opened');
    stores = sqlite;
    checkpointFile = configured ?? join(dataDir, CHECKPOINT_FILE);
  }
  if (!checkpointFile)
    opts.logger.warn(
      'audit checkpoints go to the log stream only: set ROLECALL_AUDIT_CHECKPOINTS to an append-only file too',
    );
  const audit = new AnchoredAuditLog(stores.audit, {
    logger: opts.logger,
    clock: opts.clock,
    keys: auditKeys,
    ...(checkpointFile ? { file: checkpointFile } : {}),
  });
  // Spread would lose the class's getters on the store sets; assign instead.
  return Object.assign(stores, { audit, auditKeys, ...(checkpointFile ? { checkpointFile } : {}) });
}
