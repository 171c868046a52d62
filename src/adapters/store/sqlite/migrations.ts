import type { DatabaseSync } from 'node:sqlite';
import { RolecallError } from '../../../core/errors.ts';
import type { Clock } from '../../../ports/clock.ts';
import { inTransaction } from './transaction.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema, as an ordered history. Never edit a released entry: append a new one. Each runs in
 * its own transaction together with its schema_migrations row, so a crash leaves either all or none.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'requests, events, audit',
    sql: `
      CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        requester_slack_id TEXT,
        target_slack_id TEXT,
        grant_ends_at TEXT,
        pending_expires_at TEXT,
        confirmation_expires_at TEXT,
        created_at TEXT NOT NULL,
        body TEXT NOT NULL
      ) STRICT;
      CREATE INDEX requests_tenant_state ON requests (tenant_id, state, created_at);
      CREATE INDEX requests_state_created ON requests (state, created_at);
      CREATE INDEX requests_created ON requests (created_at);
      CREATE INDEX requests_requester ON requests (requester_slack_id, created_at);
      CREATE INDEX requests_target ON requests (target_slack_id, created_at);
      CREATE INDEX requests_grant_ends ON requests (grant_ends_at) WHERE grant_ends_at IS NOT NULL;
      CREATE INDEX requests_pending_expires ON requests (pending_expires_at)
        WHERE pending_expires_at IS NOT NULL;
      CREATE INDEX requests_confirmation_expires ON requests (confirmation_expires_at)
        WHERE confirmation_expires_at IS NOT NULL;

      CREATE TABLE events (key TEXT PRIMARY KEY, at TEXT NOT NULL) STRICT, WITHOUT ROWID;
      CREATE INDEX events_at ON events (at);

      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        request_id TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        body TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_tenant ON audit (tenant_id, seq);
      CREATE INDEX audit_request ON audit (request_id, seq) WHERE request_id IS NOT NULL;
      CREATE INDEX audit_kind ON audit (kind, seq);
      CREATE INDEX audit_at ON audit (at);
      CREATE TABLE audit_users (
        user TEXT NOT NULL,
        seq INTEGER NOT NULL REFERENCES audit (seq),
        PRIMARY KEY (user, seq)
      ) STRICT, WITHOUT ROWID;

      -- Append-only in the file itself, not just by convention in code.
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
      CREATE TRIGGER audit_users_no_update BEFORE UPDATE ON audit_users
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
      CREATE TRIGGER audit_users_no_delete BEFORE DELETE ON audit_users
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT, WITHOUT ROWID;
    `,
  },
];

export function schemaVersion(db: DatabaseSync, table = 'schema_migrations'): number {
  const row = db.prepare(`SELECT MAX(version) AS v FROM ${table}`).get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Brings the database up to the newest migration. Safe to rerun and to race with another process
 * doing the same: each step re-reads the version under the write lock (BEGIN IMMEDIATE).
 * Refuses a database whose schema is newer than this code knows: running old code on it could
 * write rows the newer schema does not expect. `history` names another history table and what it
 * holds (the installations keep their own, installations.ts).
 */
export function migrate(
  db: DatabaseSync,
  clock: Clock,
  migrations: readonly Migration[] = MIGRATIONS,
  history: { table: string; schema: string } = { table: 'schema_migrations', schema: 'the database schema' },
): number[] {
  const { table } = history;
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.at(-1)?.version ?? 0;
  const applied: number[] = [];
  refuseNewer(history.schema, schemaVersion(db, table), latest);
  for (const m of migrations) {
    inTransaction(db, 'BEGIN IMMEDIATE', () => {
      const current = schemaVersion(db, table);
      refuseNewer(history.schema, current, latest);
      if (m.version <= current) return;
      db.exec(m.sql);
      db.prepare(`INSERT INTO ${table} (version, name, applied_at) VALUES (?, ?, ?)`).run(
        m.version,
        m.name,
        clock.now().toISOString(),
      );
      applied.push(m.version);
    });
  }
  return applied;
}

function refuseNewer(schema: string, current: number, latest: number): void {
  if (current > latest) {
    throw new RolecallError(
      'STORE.UNAVAILABLE',
      `${schema} (v${current}) is newer than this Rolecall understands (v${latest}); upgrade Rolecall`,
      { details: { schemaVersion: current, codeVersion: latest } },
    );
  }
}
