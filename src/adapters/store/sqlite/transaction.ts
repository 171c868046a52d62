import type { DatabaseSync } from 'node:sqlite';

/**
 * BEGIN … COMMIT around `fn`, rolled back on any error, including a failed COMMIT (which leaves
 * the transaction open). Written without db.isTransaction, which Node added after 22.13.
 */
export function inTransaction<T>(db: DatabaseSync, begin: string, fn: () => T): T {
  db.exec(begin);
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // Already rolled back by SQLite (e.g. after SQLITE_FULL), or the connection is gone.
    }
    throw err;
  }
}
