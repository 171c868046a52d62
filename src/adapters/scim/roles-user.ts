import { FormMemo, getJson, type ScimContext } from './context.ts';
import { scimError } from './errors.ts';
import { ROLE_HOLDER_FORMS, valuePath } from './filter.ts';
import { patch, type RoleModel, type RoleState, roleValue } from './role-model.ts';
import { NOBODY } from './roles-groups.ts';
import { ListResponse, parseShape, ScimUser } from './schemas.ts';
import type { ScimUsers } from './users.ts';

/** Roles as values of the user's multi-valued `roles` attribute. */
export class RolesAttributeModel implements RoleModel {
  readonly #ctx: ScimContext;
  readonly #users: ScimUsers;
  readonly #removeForm: FormMemo;
  readonly #holderForm: FormMemo;
  /** Holder filter forms that passed their negative control. */
  readonly #provenHolderForms = new Set<number>();

  constructor(ctx: ScimContext, users: ScimUsers) {
    this.#ctx = ctx;
    this.#users = users;
    this.#removeForm = new FormMemo(ctx, 'role value removal');
    this.#holderForm = new FormMemo(ctx, 'role holders filter');
  }

  /**
   * Holders of one role ("who are the admins?"): one filtered search of /Users by role value, never
   * a listing. A form is trusted only after a negative control (a value nobody holds finds nobody),
   * and every user it returns must hold the value; a server that refuses both forms, or ignores or
   * loosens them, fails closed with SCIM.BAD_REQUEST (invalidFilter) rather than naming anyone.
   */
  async holders(role: string, limit: number): Promise<{ id: string; displayName?: string }[]> {
    if (!Object.hasOwn(this.#ctx.tenant.roles, role))
      throw scimError('SCIM.UNKNOWN_ROLE', `role "${role}" is not in the catalogue`, this.#ctx.redact, {
        tenantId: this.#ctx.tenant.id,
        role,
      });
    const v = roleValue(this.#ctx, role);
    return this.#holderForm.run(ROLE_HOLDER_FORMS.length, async (i) => {
      const form = ROLE_HOLDER_FORMS[i]!;
      if (!this.#provenHolderForms.has(i)) {
        const control = await this.#search(form(NOBODY), NOBODY, 1, i);
        if (control.total > 0 || control.users.length > 0)
          throw this.#notApplied(i, 'ignores its value (negative control found someone)');
        this.#provenHolderForms.add(i);
      }
      const { users } = await this.#search(form(v), v, limit, i);
      return users
        .filter((u) => (u.roles ?? []).some((r) => r.value === v))
        .map((u) => ({ id: u.id, ...(u.displayName ? { displayName: u.displayName } : {}) }));
    });
  }

  async #search(filter: string, value: string, count: number, form: number) {
    const { value: list } = await getJson(
      this.#ctx,
      { path: '/Users', query: { filter, startIndex: 1, count: Math.max(1, Math.floor(count)) } },
      ListResponse,
      'role holders',
    );
    const users = (list?.Resources ?? [])
      .slice(0, count)
      .map((r) => parseShape(ScimUser, r, 'role holders', this.#ctx.tenant.id, this.#ctx.redact));
    // Servers may compare case-insensitively (RFC 7643 `roles.value`); anyone holding no form of
    // the value at all means the filter was not applied.
    const fold = value.toLowerCase();
    if (users.some((u) => !(u.roles ?? []).some((r) => r.value?.toLowerCase() === fold)))
      throw this.#notApplied(form, 'returned users without the role');
    return { users, total: list?.totalResults ?? 0 };
  }

  #notApplied(form: number, why: string) {
    return scimError(
      'SCIM.BAD_REQUEST',
      `SCIM role holders filter form ${form} ${why} (tenant ${this.#ctx.tenant.id}): not used`,
      this.#ctx.redact,
      { status: 400, scimType: 'invalidFilter' },
    );
  }

  refresh(): void {}

  async check(): Promise<string[]> {
    return [];
  }

  async read(userId: string): Promise<RoleState> {
    const snap = await this.#users.mustRead(userId);
    const values = new Set((snap.user.roles ?? []).map((r) => r.value));
    const roles = Object.keys(this.#ctx.tenant.roles).filter((k) => values.has(roleValue(this.#ctx, k)));
    return { roles, snap };
  }

  async write(userId: string, role: string, op: 'grant' | 'revoke', state: RoleState): Promise<void> {
    const v = roleValue(this.#ctx, role);
    const path = `/Users/${encodeURIComponent(userId)}`;
    const version = state.snap?.version;
    if (op === 'grant')
      return patch(this.#ctx, path, [{ op: 'add', path: 'roles', value: [{ value: v }] }], version);
    return this.#removeForm.run(2, async (i) => {
      if (i === 0) return patch(this.#ctx, path, [{ op: 'remove', path: valuePath('roles', v) }], version);
      // The server has no value filters in PATCH paths: write back the list, minus this value. A
      // role someone adds between the read and this write would vanish with it: If-Match prevents
      // that only where the server says it honours ETags; elsewhere the list is read again just
      // before the write, and a change since the first read is a conflict, not something to overwrite.
      const trusted = version !== undefined && (await this.#ctx.provider()).etags;
      let current = rolesOf(state.snap?.raw);
      if (!trusted) {
        const fresh = rolesOf((await this.#users.mustRead(userId)).raw);
        if (valuesKey(fresh) !== valuesKey(current))
          throw scimError(
            'SCIM.CONFLICT',
            `SCIM user ${userId} (tenant ${this.#ctx.tenant.id}): its roles changed while Rolecall was ` +
              'changing them, and the server has no ETags to guard a rewrite; nothing was sent, try again',
            this.#ctx.redact,
            { tenantId: this.#ctx.tenant.id, userId, lostUpdate: true },
          );
        current = fresh;
      }
      const remaining = current.filter(
        (r) => !(r && typeof r === 'object' && (r as { value?: unknown }).value === v),
      );
      return patch(
        this.#ctx,
        path,
        remaining.length
          ? [{ op: 'replace', path: 'roles', value: remaining }]
          : [{ op: 'remove', path: 'roles' }],
        trusted ? version : undefined,
      );
    });
  }
}

function rolesOf(raw: Record<string, unknown> | undefined): unknown[] {
  return Array.isArray(raw?.roles) ? (raw.roles as unknown[]) : [];
}

/** The role values of a list, order-free, for "did it change?". */
function valuesKey(list: unknown[]): string {
  return list
    .map((r) => String(r && typeof r === 'object' ? (r as { value?: unknown }).value : r))
    .sort()
    .join('\u0000');
}

/**
 * Roles as one single-valued attribute (`title`, or an extension attribute written with its schema
 * URN such as `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:role`). Granting replaces
 * whatever value was there; revoking removes the attribute only while it holds this role's value.
 */
export class SingleAttributeModel implements RoleModel {
  readonly #ctx: ScimContext;
  readonly #users: ScimUsers;
  readonly #path: string;

  constructor(ctx: ScimContext, users: ScimUsers) {
    this.#ctx = ctx;
    this.#users = users;
    this.#path = ctx.cfg.attributePath ?? '';
  }

  refresh(): void {}

  async check(): Promise<string[]> {
    return this.#path ? [] : ['roleModel "attribute" needs attributePath'];
  }

  async read(userId: string): Promise<RoleState> {
    const snap = await this.#users.mustRead(userId);
    const current = attributeValue(snap.raw, this.#path);
    const roles =
      current === undefined
        ? []
        : Object.keys(this.#ctx.tenant.roles).filter((k) => roleValue(this.#ctx, k) === current);
    return { roles, snap };
  }

  async write(userId: string, role: string, op: 'grant' | 'revoke', state: RoleState): Promise<void> {
    const previous = state.snap ? attributeValue(state.snap.raw, this.#path) : undefined;
    if (op === 'grant' && previous !== undefined)
      this.#ctx.logger.info(
        { scim: { userId, attribute: this.#path, previous } },
        'replacing role attribute',
      );
    await patch(
      this.#ctx,
      `/Users/${encodeURIComponent(userId)}`,
      [
        op === 'grant'
          ? { op: 'replace', path: this.#path, value: roleValue(this.#ctx, role) }
          : { op: 'remove', path: this.#path },
      ],
      state.snap?.version,
    );
  }
}

/** Reads `a.b` or `urn:…:Schema:a.b` from a resource, with case-insensitive attribute names. */
export function attributeValue(resource: Record<string, unknown>, path: string): string | undefined {
  let node: unknown = resource;
  let rest = path;
  if (path.toLowerCase().startsWith('urn:')) {
    const cut = path.lastIndexOf(':');
    node = pick(resource, path.slice(0, cut));
    rest = path.slice(cut + 1);
  }
  for (const seg of rest.split('.')) node = pick(node, seg);
  return scalar(node);
}

function pick(node: unknown, key: string): unknown {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const o = node as Record<string, unknown>;
  if (key in o) return o[key];
  const k = Object.keys(o).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : o[k];
}

/** A plain string, `{value}`, or a one-element array of either (servers differ). */
function scalar(node: unknown): string | undefined {
  if (typeof node === 'string') return node === '' ? undefined : node;
  if (Array.isArray(node)) return node.length === 1 ? scalar(node[0]) : undefined;
  if (node && typeof node === 'object') return scalar((node as { value?: unknown }).value);
  return undefined;
}
