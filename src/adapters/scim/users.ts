import type { DirectoryUser } from '../../ports/directory.ts';
import { type FormMemo, getJson, listResources, type ScimContext } from './context.ts';
import { scimError } from './errors.ts';
import { EMAIL_FORMS, eq, NAME_FORMS } from './filter.ts';
import { parseJson } from './http.ts';
import { ListResponse, parseShape, ScimUser, toDirectoryUser, versionOf } from './schemas.ts';

/** Lookups that must be unique look at a few candidates only: enough to see a duplicate. */
const LOOKUP_MAX = 10;

export interface UserSnapshot {
  user: ScimUser;
  /** The whole resource as returned, for attributes the schema does not name. */
  raw: Record<string, unknown>;
  version?: string;
}

export class ScimUsers {
  readonly #ctx: ScimContext;
  readonly #emailForm: FormMemo;
  readonly #nameForm: FormMemo;

  constructor(ctx: ScimContext, forms: { email: FormMemo; name: FormMemo }) {
    this.#ctx = ctx;
    this.#emailForm = forms.email;
    this.#nameForm = forms.name;
  }

  /** The user resource, or undefined on 404. */
  async read(id: string): Promise<UserSnapshot | undefined> {
    const res = await this.#ctx.http.send({
      method: 'GET',
      path: `/Users/${encodeURIComponent(id)}`,
      accept: [404],
    });
    if (res.status === 404) return undefined;
    const raw = parseJson(res, 'GET /Users/{id}', this.#ctx.redact, this.#ctx.tenant.id);
    const user = parseShape(ScimUser, raw, 'GET /Users/{id}', this.#ctx.tenant.id, this.#ctx.redact);
    if (user.id !== id)
      throw scimError(
        'SCIM.INVALID_RESPONSE',
        `SCIM GET /Users/{id} (tenant ${this.#ctx.tenant.id}): asked for one user, got another`,
        this.#ctx.redact,
        { tenantId: this.#ctx.tenant.id },
      );
    const version = versionOf(res.etag, user.meta);
    return { user, raw: raw as Record<string, unknown>, ...(version ? { version } : {}) };
  }

  /** Like `read`, but a missing user is a fault: role operations need a real target. */
  async mustRead(id: string): Promise<UserSnapshot> {
    const snap = await this.read(id);
    if (!snap)
      throw scimError(
        'SCIM.NOT_FOUND',
        `SCIM user ${id} not found (tenant ${this.#ctx.tenant.id})`,
        this.#ctx.redact,
        { tenantId: this.#ctx.tenant.id, userId: id },
      );
    return snap;
  }

  async getUser(id: string): Promise<DirectoryUser | undefined> {
    const snap = await this.read(id);
    return snap ? toDirectoryUser(snap.user) : undefined;
  }

  async findByUserName(userName: string): Promise<DirectoryUser | undefined> {
    return this.#unique(
      'userName',
      userName,
      (v) => eq('userName', v),
      (u) => [u.userName],
      'prefer-exact',
    );
  }

  async findByExternalId(externalId: string): Promise<DirectoryUser | undefined> {
    // externalId is caseExact (RFC 7643 §3.1): no case folding on either side.
    return this.#unique(
      'externalId',
      externalId,
      (v) => eq('externalId', v),
      (u) => [u.externalId ?? ''],
      'exact',
    );
  }

  async findByEmail(email: string): Promise<DirectoryUser | undefined> {
    const last = EMAIL_FORMS.length - 1;
    return this.#emailForm.run(EMAIL_FORMS.length, (i) =>
      this.#unique(
        'email',
        email,
        EMAIL_FORMS[i]!,
        // The last form searches userName: then userName is what must equal the address.
        (u) => [...(u.emails ?? []).map((e) => e.value), ...(i === last ? [u.userName] : [])],
        'fold',
      ),
    );
  }

  async searchByName(name: string, limit: number): Promise<DirectoryUser[]> {
    const n = name.trim();
    const max = Math.max(1, Math.min(Math.floor(limit), this.#ctx.cfg.pageSize));
    if (!n || limit < 1) return [];
    return this.#nameForm.run(NAME_FORMS.length, async (i) => {
      const res = await getJson(
        this.#ctx,
        { path: '/Users', query: { filter: NAME_FORMS[i]!(n), startIndex: 1, count: max } },
        ListResponse,
        'user search',
      );
      const out: DirectoryUser[] = [];
      for (const r of res.value?.Resources ?? []) {
        const u = toDirectoryUser(
          parseShape(ScimUser, r, 'user search', this.#ctx.tenant.id, this.#ctx.redact),
        );
        if (!out.some((o) => o.id === u.id)) out.push(u);
        if (out.length >= max) break;
      }
      return out;
    });
  }

  /**
   * Runs one filter and keeps only users whose key really equals the value: a server that ignores
   * or loosens the filter must not make a stranger match. A case-sensitive server gets a second
   * try with the lower-cased value.
   */
  async #unique(
    key: string,
    value: string,
    filter: (v: string) => string,
    keysOf: (u: ScimUser) => string[],
    /** `prefer-exact`: among case-folded matches, one exact-case match wins (case-sensitive servers). */
    match: 'exact' | 'fold' | 'prefer-exact',
  ): Promise<DirectoryUser | undefined> {
    const v = value.trim();
    if (!v) return undefined;
    const caseExact = match === 'exact';
    const fold = (s: string) => (caseExact ? s : s.toLowerCase());
    const tries = caseExact || v === v.toLowerCase() ? [v] : [v, v.toLowerCase()];
    for (const t of tries) {
      const { items } = await listResources(this.#ctx, '/Users', {
        filter: filter(t),
        max: LOOKUP_MAX,
        schema: ScimUser,
        key: (u) => u.id,
        what: `user lookup by ${key}`,
      });
      const matches = items.filter((u) => keysOf(u).some((k) => fold(k) === fold(v)));
      if (matches.length === 0) continue;
      if (matches.length === 1) return toDirectoryUser(matches[0]!);
      const exact = matches.filter((u) => keysOf(u).includes(v));
      if (match === 'prefer-exact' && exact.length === 1) return toDirectoryUser(exact[0]!);
      throw scimError(
        'SCIM.AMBIGUOUS',
        `SCIM lookup by ${key} (tenant ${this.#ctx.tenant.id}): ${matches.length} users match; expected one`,
        this.#ctx.redact,
        { tenantId: this.#ctx.tenant.id, key, matches: matches.length },
      );
    }
    return undefined;
  }
}
