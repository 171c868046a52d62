import type { InstallationBinding, InstallationRow, Installations } from '../../../ports/installations.ts';
import { plain, readBinding, readInstallation } from '../installations-shared.ts';
import type { MongoConnection } from './connection.ts';

/** Bump with every change to these collections or their indexes (kept apart from MONGO_SCHEMA_VERSION). */
export const INSTALLATIONS_SCHEMA_VERSION = 1;

interface InstallationDoc extends Omit<InstallationRow, 'id'> {
  _id: string;
}
interface BindingDoc extends Omit<InstallationBinding, 'installationId'> {
  _id: string;
}

const fromDoc = ({ _id, ...rest }: { _id: string; [k: string]: unknown }) => ({ id: _id, ...rest });

export class MongoInstallations implements Installations {
  readonly #conn: MongoConnection;

  private constructor(conn: MongoConnection) {
    this.#conn = conn;
  }

  /** Checks this part's schema version in `meta`, creates the index, records the version. */
  static async open(conn: MongoConnection): Promise<MongoInstallations> {
    const meta = await conn.run('meta', () => conn.meta.findOne({ _id: 'installations_schema' }));
    const version = typeof meta?.version === 'number' ? meta.version : 0;
    if (version > INSTALLATIONS_SCHEMA_VERSION)
      throw new Error(`installations schema v${version} is newer than this Rolecall understands`);
    const store = new MongoInstallations(conn);
    await conn.run('createIndexes', () =>
      store.#installations.createIndexes([{ key: { status: 1 }, name: 'status' }]),
    );
    await conn.run('meta', () =>
      conn.meta.updateOne(
        { _id: 'installations_schema' },
        { $set: { version: INSTALLATIONS_SCHEMA_VERSION, at: conn.clock.now() } },
        { upsert: true },
      ),
    );
    return store;
  }

  get #installations() {
    return this.#conn.db.collection<InstallationDoc>('installations');
  }
  get #bindings() {
    return this.#conn.db.collection<BindingDoc>('installation_bindings');
  }

  async put(row: InstallationRow): Promise<void> {
    const { id, ...rest } = plain(row);
    await this.#conn.run('put installation', () =>
      this.#installations.replaceOne({ _id: id }, rest, { upsert: true }),
    );
  }

  async get(id: string): Promise<InstallationRow | undefined> {
    const doc = await this.#conn.run('get installation', () => this.#installations.findOne({ _id: id }));
    return doc ? readInstallation(fromDoc(doc), id) : undefined;
  }

  async list(): Promise<InstallationRow[]> {
    const docs = await this.#conn.run('list installations', () =>
      this.#installations.find({}).sort({ _id: 1 }).toArray(),
    );
    return docs.map((d) => readInstallation(fromDoc(d), d._id));
  }

  async disable(id: string, status: 'uninstalled' | 'revoked', at: string, reason: string): Promise<boolean> {
    const res = await this.#conn.run('disable installation', () =>
      this.#installations.updateOne(
        { _id: id },
        { $set: { status, statusReason: reason, updatedAt: at }, $unset: { sealed: '' } },
      ),
    );
    return res.matchedCount > 0;
  }

  async bind(b: InstallationBinding): Promise<void> {
    const { installationId, ...rest } = b;
    await this.#conn.run('bind installation', () =>
      this.#bindings.replaceOne({ _id: installationId }, rest, { upsert: true }),
    );
  }

  async unbind(installationId: string): Promise<boolean> {
    const res = await this.#conn.run('unbind installation', () =>
      this.#bindings.deleteOne({ _id: installationId }),
    );
    return res.deletedCount > 0;
  }

  async bindings(): Promise<InstallationBinding[]> {
    const docs = await this.#conn.run('list bindings', () =>
      this.#bindings.find({}).sort({ _id: 1 }).toArray(),
    );
    return docs.map(({ _id, ...rest }) => readBinding({ installationId: _id, ...rest }, _id));
  }
}
