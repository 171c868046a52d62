import { DatabaseSync, StatementSync } from 'node:sqlite';

type Op = (sql: string, args: readonly unknown[]) => boolean;

/**
 * Watches every node:sqlite write of this test process (a test seam outside the product code):
 * counts durable commits (a COMMIT, or a write statement outside a transaction, which SQLite
 * commits on its own) and fails one chosen write: the first op matching `target` once `trigger`
 * has been seen (the trigger op itself may be the target). `COMMIT` is the op ('COMMIT', []).
 */
export interface SqliteSpy {
  commits: number;
  /** Faults injected so far. */
  injected: string[];
  failAfter(trigger: Op, target: Op): void;
  restore(): void;
}

const WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

export function spySqlite(): SqliteSpy {
  const run = StatementSync.prototype.run;
  const exec = DatabaseSync.prototype.exec;
  let inTransaction = false;
  let plan: { trigger: Op; target: Op; armed: boolean } | undefined;
  const spy: SqliteSpy = {
    commits: 0,
    injected: [],
    failAfter(trigger, target) {
      plan = { trigger, target, armed: false };
    },
    restore() {
      StatementSync.prototype.run = run;
      DatabaseSync.prototype.exec = exec;
    },
  };
  const maybeFail = (sql: string, args: readonly unknown[]) => {
    if (!plan) return;
    if (!plan.armed && plan.trigger(sql, args)) plan.armed = true;
    if (plan.armed && plan.target(sql, args)) {
      plan = undefined;
      spy.injected.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
      throw new Error(`injected fault at: ${sql.trim().slice(0, 40)}`);
    }
  };
  StatementSync.prototype.run = function (this: StatementSync, ...args: unknown[]) {
    const sql = this.sourceSQL;
    maybeFail(sql, args);
    const out = (run as (...a: unknown[]) => ReturnType<StatementSync['run']>).apply(this, args);
    if (!inTransaction && WRITE.test(sql)) spy.commits++;
    return out;
  } as StatementSync['run'];
  DatabaseSync.prototype.exec = function (this: DatabaseSync, sql: string) {
    if (/^\s*BEGIN\b/i.test(sql)) inTransaction = true;
    else if (/^\s*COMMIT\b/i.test(sql)) {
      maybeFail('COMMIT', []);
      exec.call(this, sql);
      inTransaction = false;
      spy.commits++;
      return;
    } else if (/^\s*ROLLBACK\b/i.test(sql)) inTransaction = false;
    return exec.call(this, sql);
  };
  return spy;
}

/** Predicates over the writes of one state change or record. */
export const writes = {
  requestTo:
    (state: string): Op =>
    (sql, args) =>
      /^\s*UPDATE requests\b/i.test(sql) &&
      args.some((a) => typeof a === 'string' && a.includes(`"state":"${state}"`)),
  auditOf:
    (kind: string): Op =>
    (sql, args) =>
      /^\s*INSERT INTO audit \(/i.test(sql) &&
      args.some((a) => typeof a === 'string' && a.includes(`"kind":"${kind}"`)),
  auditUser: ((sql) => /^\s*INSERT INTO audit_users\b/i.test(sql)) as Op,
  commit: ((sql) => sql === 'COMMIT') as Op,
};
