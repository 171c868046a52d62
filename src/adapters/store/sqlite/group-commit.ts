import type { SqliteConnection } from './connection.ts';

interface Item {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: units of work submitted while the event loop is busy elsewhere (concurrent
 * conversations, each at its own state change) run in one transaction with one durable COMMIT, so
 * the `synchronous=FULL` disk wait that blocks the loop is paid once per batch, not once per change.
 * Each unit runs under its own SAVEPOINT: one that throws is rolled back alone and rejects alone;
 * a failed COMMIT rejects them all (nothing of the batch was saved). Every promise settles only
 * after the COMMIT returned, so "durable when it resolves" holds for each unit.
 * The batch runs on setImmediate, after the current turn's callbacks have had their say.
 */
export class GroupCommit {
  readonly #conn: SqliteConnection;
  #pending: Item[] = [];
  #scheduled = false;

  constructor(conn: SqliteConnection) {
    this.#conn = conn;
  }

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    this.#scheduled = false;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      this.#conn.writeTransaction(() => {
        const db = this.#conn.db;
        for (const item of batch) {
          db.exec('SAVEPOINT rc_unit');
          try {
            outcomes.push({ ok: true, value: item.work() });
            db.exec('RELEASE rc_unit');
          } catch (err) {
            db.exec('ROLLBACK TO rc_unit');
            db.exec('RELEASE rc_unit');
            outcomes.push({ ok: false, err });
          }
        }
      });
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.err);
    });
  }
}
