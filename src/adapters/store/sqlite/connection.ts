import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../../../ports/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { unavailable } from '../shared.ts';
import { migrate } from './migrations.ts';
import { inTransaction } from './transaction.ts';

export const DB_FILE = 'rolecall.sqlite';

export interface SqliteOptions {
  /** Directory holding rolecall.sqlite; created if missing. */
  dataDir: string;
  logger: Logger;
  clock: Clock;
  /** How long a writer waits for another process's lock before failing closed. */
  busyTimeoutMs?: number;
}

/**
 * One connection to the data file. node:sqlite is synchronous: every call finishes before the
 * event loop moves on, so within a process statements never interleave; across processes the
 * file lock (and busy_timeout) serialises writers.
 */
export class SqliteConnection {
  readonly db: DatabaseSync;
  readonly path: string;
  readonly #statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  #closed = false;

  constructor(db: DatabaseSync, path: string) {
    this.db = db;
    this.path = path;
  }

  /** Prepared once per connection and reused. */
  statement(sql: string): ReturnType<DatabaseSync['prepare']> {
    if (this.#closed) throw new Error('database is closed');
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Runs `fn` inside BEGIN IMMEDIATE … COMMIT (the write lock is taken up front). */
  writeTransaction<T>(fn: () => T): T {
    return inTransaction(this.db, 'BEGIN IMMEDIATE', fn);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.db.close();
  }
}

export function openConnection(opts: SqliteOptions): SqliteConnection {
  const dir = resolve(opts.dataDir);
  const path = join(dir, DB_FILE);
  const busy = Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000));
  let db: DatabaseSync | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    db = new DatabaseSync(path);
    // busy_timeout first: even switching to WAL needs a lock another process may hold.
    // WAL: readers never block the writer. FULL: a commit is on disk when it returns, which is
    // what "durable when append resolves" means for the audit log.
    db.exec(`PRAGMA busy_timeout = ${busy}; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
      PRAGMA foreign_keys = ON;`);
    const applied = migrate(db, opts.clock);
    if (applied.length > 0) opts.logger.info({ path, applied }, 'sqlite schema migrated');
    return new SqliteConnection(db, path);
  } catch (err) {
    try {
      db?.close();
    } catch {
      // It never opened.
    }
    throw unavailable('open', err);
  }
}
