import type { DirectoryUser } from '../../ports/directory.ts';
import { type FormMemo, getJson, listResources, type ScimContext } from './context.ts';
import { scimError } from './errors.ts';
import { EMAIL_FORMS, eq, NAME_FORMS } from './filter.ts';
import { parseJson } from './http.ts';
import { ListResponse, parseShape, ScimUser, toDirectoryUser, versionOf } from './schemas.ts';

/** Lookups that must be unique look at a few candidates only: enough to see a duplicate. */
const LOOKUP_MAX = 10;
/** Plain values for probing a filter form the server refused once. */
const PROBE_EMAIL = 'rolecall-probe@example.invalid';
const PROBE_NAME = 'rolecall-probe';

const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/**
 * Common capitalisations of a name or address other than as given and all lower case:
 * "jo.nguyen@x.com" → "Jo.Nguyen@x.com", "Jo.Nguyen@X.com".
 */
export function caseVariants(value: string): string[] {
  const lower = value.toLowerCase();
  const at = lower.lastIndexOf('@');
  const local = (at < 0 ? lower : lower.slice(0, at)).replace(/[^._-]+/g, capital);
  const out =
    at < 0
      ? [local]
      : [`${local}${lower.slice(at)}`, `${local}@${lower.slice(at + 1).replace(/^[^.]+/, capital)}`];
  return [...new Set(out)].filter((x) => x !== value && x !== lower);
}

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
    return this.#emailForm.run(
      EMAIL_FORMS.length,
      (i) =>
        this.#unique(
          'email',
          email,
          EMAIL_FORMS[i]!,
          // The last form searches userName: then userName is what must equal the address.
          (u) => [...(u.emails ?? []).map((e) => e.value), ...(i === last ? [u.userName] : [])],
          'fold',
        ),
      (i) => this.#probe(EMAIL_FORMS[i]!(PROBE_EMAIL)),
    );
  }

  /** The same filter form with a plain value: tells "form unsupported" from "this value refused". */
  async #probe(filter: string): Promise<void> {
    await getJson(
      this.#ctx,
      { path: '/Users', query: { filter, startIndex: 1, count: 1 } },
      ListResponse,
      'filter form probe',
    );
  }

  async searchByName(name: string, limit: number): Promise<DirectoryUser[]> {
    const n = name.trim();
    const max = Math.max(1, Math.min(Math.floor(limit), this.#ctx.cfg.pageSize));
    if (!n || limit < 1) return [];
    return this.#nameForm.run(
      NAME_FORMS.length,
      async (i) => {
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
      },
      (i) => this.#probe(NAME_FORMS[i]!(PROBE_NAME)),
    );
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
    const run = async (t: string) => {
      const { items } = await listResources(this.#ctx, '/Users', {
        filter: filter(t),
        max: LOOKUP_MAX,
        schema: ScimUser,
        key: (u) => u.id,
        what: `user lookup by ${key}`,
      });
      return items.filter((u) => keysOf(u).some((k) => fold(k) === fold(v)));
    };
    const pick = (matches: ScimUser[]) => {
      if (matches.length === 1) return toDirectoryUser(matches[0]!);
      const exact = matches.filter((u) => keysOf(u).includes(v));
      if (match === 'prefer-exact' && exact.length === 1) return toDirectoryUser(exact[0]!);
      throw scimError(
        'SCIM.AMBIGUOUS',
        `SCIM lookup by ${key} (tenant ${this.#ctx.tenant.id}): ${matches.length} users match; expected one`,
        this.#ctx.redact,
        { tenantId: this.#ctx.tenant.id, key, matches: matches.length },
      );
    };
    for (const t of caseExact || v === v.toLowerCase() ? [v] : [v, v.toLowerCase()]) {
      const matches = await run(t);
      if (matches.length) return pick(matches);
    }
    if (caseExact) return undefined;
    // A server that compares `eq` case-sensitively (RFC 7643 says it must not, for userName and
    // emails) finds "Jo.Nguyen@X.com" only as stored. The usual capitalisations are asked for too;
    // every one is asked, so two accounts differing only in case are ambiguous, never a guess.
    const found = new Map<string, ScimUser>();
    for (const t of caseVariants(v)) for (const u of await run(t)) found.set(u.id, u);
    if (found.size) return pick([...found.values()]);
    return undefined;
  }
}
