import type { Clock } from '../../../ports/clock.ts';
import type { InstallationBinding, InstallationRow, Installations } from '../../../ports/installations.ts';
import { plain, readBinding, readInstallation } from '../installations-shared.ts';
import { unavailable } from '../shared.ts';
import type { SqliteConnection } from './connection.ts';
import { migrate } from './migrations.ts';

/**
 * The installations' own migration history, kept apart from MIGRATIONS (migrations.ts) so the
 * request/audit schema and this one can grow independently. Never edit a released entry: append.
 */
const INSTALLATION_MIGRATIONS = [
  {
    version: 1,
    name: 'installations, bindings',
    sql: `
      CREATE TABLE installations (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        body TEXT NOT NULL
      ) STRICT;
      CREATE TABLE installation_bindings (
        installation_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        body TEXT NOT NULL
      ) STRICT;
    `,
  },
];

export function migrateInstallations(conn: SqliteConnection, clock: Clock): number[] {
  return migrate(conn.db, clock, INSTALLATION_MIGRATIONS, {
    table: 'installation_migrations',
    schema: 'the installations schema',
  });
}

export class SqliteInstallations implements Installations {
  readonly #conn: SqliteConnection;

  constructor(conn: SqliteConnection, clock: Clock) {
    this.#conn = conn;
    try {
      migrateInstallations(conn, clock);
    } catch (err) {
      throw unavailable('migrate installations', err);
    }
  }

  #run<T>(op: string, fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(unavailable(op, err));
    }
  }

  put(row: InstallationRow): Promise<void> {
    return this.#run('put installation', () => {
      this.#conn
        .statement(
          `INSERT INTO installations (id, status, updated_at, body) VALUES (?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at,
             body = excluded.body`,
        )
        .run(row.id, row.status, row.updatedAt, JSON.stringify(plain(row)));
    });
  }

  async get(id: string): Promise<InstallationRow | undefined> {
    const row = await this.#run(
      'get installation',
      () =>
        this.#conn.statement('SELECT body FROM installations WHERE id = ?').get(id) as
          | { body: string }
          | undefined,
    );
    return row ? readInstallation(parse(row.body), id) : undefined;
  }

  async list(): Promise<InstallationRow[]> {
    const rows = await this.#run(
      'list installations',
      () =>
        this.#conn.statement('SELECT id, body FROM installations ORDER BY id').all() as {
          id: string;
          body: string;
        }[],
    );
    return rows.map((r) => readInstallation(parse(r.body), r.id));
  }

  disable(id: string, status: 'uninstalled' | 'revoked', at: string, reason: string): Promise<boolean> {
    return this.#run('disable installation', () =>
      this.#conn.writeTransaction(() => {
        const row = this.#conn.statement('SELECT body FROM installations WHERE id = ?').get(id) as
          | { body: string }
          | undefined;
        if (!row) return false;
        const { sealed: _dropped, ...rest } = readInstallation(parse(row.body), id);
        const next: InstallationRow = { ...rest, status, statusReason: reason, updatedAt: at };
        this.#conn
          .statement('UPDATE installations SET status = ?, updated_at = ?, body = ? WHERE id = ?')
          .run(status, at, JSON.stringify(plain(next)), id);
        return true;
      }),
    );
  }

  bind(b: InstallationBinding): Promise<void> {
    return this.#run('bind installation', () => {
      this.#conn
        .statement(
          `INSERT INTO installation_bindings (installation_id, tenant_id, body) VALUES (?, ?, ?)
           ON CONFLICT (installation_id) DO UPDATE SET tenant_id = excluded.tenant_id, body = excluded.body`,
        )
        .run(b.installationId, b.tenantId, JSON.stringify(b));
    });
  }

  unbind(installationId: string): Promise<boolean> {
    return this.#run(
      'unbind installation',
      () =>
        Number(
          this.#conn
            .statement('DELETE FROM installation_bindings WHERE installation_id = ?')
            .run(installationId).changes,
        ) > 0,
    );
  }

  async bindings(): Promise<InstallationBinding[]> {
    const rows = await this.#run(
      'list bindings',
      () =>
        this.#conn
          .statement('SELECT installation_id, body FROM installation_bindings ORDER BY installation_id')
          .all() as { installation_id: string; body: string }[],
    );
    return rows.map((r) => readBinding(parse(r.body), r.installation_id));
  }
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
