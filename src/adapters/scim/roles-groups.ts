import { isRolecallError } from '../../core/errors.ts';
import { FormMemo, getJson, listResources, type ScimContext } from './context.ts';
import { isUnsupportedForm, scimError } from './errors.ts';
import { eq, MEMBER_FORMS, valuePath } from './filter.ts';
import { patch, type RoleModel, type RoleState } from './role-model.ts';
import { ListResponse, parseShape, ScimGroup, versionOf } from './schemas.ts';
import type { ScimUsers } from './users.ts';

/**
 * How long a group id resolved from its displayName is trusted. Only ids are cached (a rename or
 * a recreated group is picked up within this time, or at once on a 404); membership never is.
 * Short, because a stale id is an authorization window: after "Admins" is renamed and recreated,
 * the old group's members would count as admins until it passes. One lookup a minute costs nothing.
 */
export const GROUP_ID_TTL_MS = 60_000;

/** A member id no directory issues: the negative control of a membership filter. */
export const NOBODY = 'rolecall-negative-control-0000';

/**
 * Roles as SCIM Group memberships. A user's groups come from the user's `groups` attribute when
 * the server has one, else from one bounded membership filter per catalogue group; the member
 * list of a group is read only when the server supports neither (and then under the byte cap).
 */
export class GroupsModel implements RoleModel {
  readonly #ctx: ScimContext;
  readonly #users: ScimUsers;
  readonly #ids = new Map<string, { id: string; at: number }>();
  /** Whether the server takes `displayName eq … or displayName eq …` (undefined: not tried yet). */
  #batch: boolean | undefined;
  /** When the last `or` lookup ran: names it could not resolve are not asked for again within the TTL. */
  #batchAt = Number.NEGATIVE_INFINITY;
  readonly #memberForm: FormMemo;
  readonly #removeForm: FormMemo;
  /** Member filter forms that passed their negative control. */
  readonly #provenForms = new Set<number>();
  /** Once any user came back with `groups`, its absence means "no groups". */
  #serverListsGroups = false;

  constructor(ctx: ScimContext, users: ScimUsers) {
    this.#ctx = ctx;
    this.#users = users;
    this.#memberForm = new FormMemo(ctx, 'group membership');
    this.#removeForm = new FormMemo(ctx, 'group member removal');
  }

  refresh(): void {
    this.#ids.clear();
    this.#batchAt = Number.NEGATIVE_INFINITY;
  }

  async read(userId: string): Promise<RoleState> {
    await this.#resolveAll();
    const snap = await this.#users.mustRead(userId);
    const keys = Object.keys(this.#ctx.tenant.roles);
    if (snap.user.groups || this.#serverListsGroups) {
      this.#serverListsGroups = true;
      const ids = new Set((snap.user.groups ?? []).map((g) => g.value));
      const roles: string[] = [];
      for (const key of keys) {
        const id = await this.#tryGroupId(key);
        if (id && ids.has(id)) roles.push(key);
      }
      return { roles, snap };
    }
    const versions = new Map<string, string>();
    const held = async (key: string) => {
      const id = await this.#tryGroupId(key);
      if (!id) return false;
      const m = await this.#isMember(id, userId);
      if (m.version) versions.set(id, m.version);
      return m.member;
    };
    // The first check teaches the client which membership form the server takes; the rest run together.
    const [first, ...rest] = keys;
    const results = first === undefined ? [] : [await held(first), ...(await Promise.all(rest.map(held)))];
    return { roles: keys.filter((_, i) => results[i]), snap, groupVersions: versions };
  }

  async readBack(userId: string, role: string, state: RoleState): Promise<string[]> {
    // From the user's `groups` one GET shows everything: read it all.
    if (!state.groupVersions) return (await this.read(userId)).roles;
    const id = await this.groupId(role);
    const { member } = await this.#isMember(id, userId);
    return Object.keys(this.#ctx.tenant.roles).filter((k) => (k === role ? member : state.roles.includes(k)));
  }

  async write(userId: string, role: string, op: 'grant' | 'revoke', state: RoleState): Promise<void> {
    const id = await this.groupId(role);
    const send = (gid: string, ifMatch?: string) =>
      op === 'grant'
        ? this.#patch(gid, [{ op: 'add', path: 'members', value: [{ value: userId }] }], ifMatch)
        : this.#removeForm.run(2, (i) =>
            this.#patch(
              gid,
              [
                i === 0
                  ? { op: 'remove', path: valuePath('members', userId) }
                  : { op: 'remove', path: 'members', value: [{ value: userId }] },
              ],
              ifMatch,
            ),
          );
    try {
      await send(id, state.groupVersions?.get(id));
    } catch (err) {
      // A group resolved by name may have been recreated under a new id: resolve again, once.
      if (!isRolecallError(err, 'SCIM.NOT_FOUND') || !this.#ctx.tenant.roles[role]?.group) throw err;
      this.#ids.delete(role);
      const again = await this.groupId(role);
      if (again === id) throw err;
      await send(again);
    }
  }

  async check(): Promise<string[]> {
    const problems: string[] = [];
    for (const [key, def] of Object.entries(this.#ctx.tenant.roles)) {
      try {
        if (def.groupId) {
          const res = await getJson(
            this.#ctx,
            {
              path: `/Groups/${encodeURIComponent(def.groupId)}`,
              query: { excludedAttributes: 'members' },
              accept: [404],
            },
            ScimGroup,
            'GET /Groups/{id}',
          );
          if (res.status === 404) problems.push(`role "${key}": SCIM group id ${def.groupId} does not exist`);
        } else await this.groupId(key);
      } catch (err) {
        const message = (err as Error).message;
        const code = isRolecallError(err) ? `${err.code}: ` : '';
        problems.push(`${code}${message.startsWith(`role "${key}"`) ? '' : `role "${key}": `}${message}`);
      }
    }
    return problems;
  }

  async groupId(role: string): Promise<string> {
    const def = this.#ctx.tenant.roles[role];
    if (def?.groupId) return def.groupId;
    const cached = this.#cached(role);
    if (cached) return cached;
    const name = def?.group;
    if (!name)
      throw scimError(
        'SCIM.UNKNOWN_ROLE',
        `role "${role}" has no SCIM group (tenant ${this.#ctx.tenant.id})`,
        this.#ctx.redact,
        { tenantId: this.#ctx.tenant.id, role },
      );
    const { items } = await listResources(this.#ctx, '/Groups', {
      filter: eq('displayName', name),
      excludedAttributes: 'members',
      max: Number.POSITIVE_INFINITY,
      schema: ScimGroup,
      key: (g) => g.id,
      what: 'group lookup by displayName',
    });
    const { matches, pick } = pickGroup(items, name);
    const base = { tenantId: this.#ctx.tenant.id, role, group: name };
    if (matches.length === 0)
      throw scimError(
        'SCIM.NOT_FOUND',
        `role "${role}": SCIM group "${name}" not found (tenant ${this.#ctx.tenant.id})`,
        this.#ctx.redact,
        base,
      );
    if (!pick)
      throw scimError(
        'SCIM.AMBIGUOUS',
        `role "${role}": ${matches.length} SCIM groups are named "${name}" (tenant ${this.#ctx.tenant.id}); use groupId`,
        this.#ctx.redact,
        base,
      );
    this.#ids.set(role, { id: pick.id, at: this.#ctx.now() });
    return pick.id;
  }

  #cached(role: string): string | undefined {
    const hit = this.#ids.get(role);
    if (!hit) return undefined;
    if (this.#ctx.now() - hit.at < GROUP_ID_TTL_MS) return hit.id;
    this.#ids.delete(role);
    return undefined;
  }

  /**
   * Resolves every catalogue group still unresolved with one `or` filter, so a cold read costs one
   * call instead of one per role. Names that are missing or ambiguous are left to `groupId`, which
   * reports them; a server that refuses `or` is remembered and asked one name at a time.
   */
  async #resolveAll(): Promise<void> {
    if (this.#batch === false || this.#ctx.now() - this.#batchAt < GROUP_ID_TTL_MS) return;
    const pending = Object.entries(this.#ctx.tenant.roles).filter(
      ([key, def]) => def.group && !def.groupId && !this.#cached(key),
    );
    if (pending.length < 2) return;
    const names = [...new Set(pending.map(([, def]) => def.group!))];
    let items: ScimGroup[];
    try {
      ({ items } = await listResources(this.#ctx, '/Groups', {
        filter: names.map((n) => eq('displayName', n)).join(' or '),
        excludedAttributes: 'members',
        max: Number.POSITIVE_INFINITY,
        schema: ScimGroup,
        key: (g) => g.id,
        what: 'group lookup by displayName (all roles)',
      }));
    } catch (err) {
      if (!isUnsupportedForm(err)) throw err;
      this.#batch = false;
      this.#ctx.logger.info(
        { scim: { form: 'group id batch' } },
        'SCIM server refuses `or` filters on groups',
      );
      return;
    }
    this.#batch = true;
    const at = this.#ctx.now();
    this.#batchAt = at;
    for (const [key, def] of pending) {
      const { pick } = pickGroup(items, def.group!);
      if (pick) this.#ids.set(key, { id: pick.id, at });
    }
  }

  /** A catalogue group that does not exist is held by nobody; `check()` reports it. */
  async #tryGroupId(role: string): Promise<string | undefined> {
    try {
      return await this.groupId(role);
    } catch (err) {
      if (!isRolecallError(err, 'SCIM.NOT_FOUND')) throw err;
      this.#ctx.logger.warn({ scim: { role } }, err.message);
      return undefined;
    }
  }

  async #isMember(groupId: string, userId: string): Promise<{ member: boolean; version?: string }> {
    return this.#memberForm.run(
      MEMBER_FORMS.length + 1,
      async (i) => {
        const form = MEMBER_FORMS[i];
        if (form) {
          if (!this.#provenForms.has(i)) await this.#control(groupId, form, i);
          const { hit } = await this.#filterMember(groupId, userId, form, i);
          const member = hit ? (hit.members ? hit.members.some((m) => m.value === userId) : true) : false;
          const version = versionOf(undefined, hit?.meta);
          return { member, ...(version ? { version } : {}) };
        }
        const res = await getJson(
          this.#ctx,
          { path: `/Groups/${encodeURIComponent(groupId)}`, query: { attributes: 'members' }, accept: [404] },
          ScimGroup,
          'GET /Groups/{id} members',
        );
        if (res.status === 404) {
          this.#forget(groupId);
          return { member: false };
        }
        const version = versionOf(res.etag, res.value?.meta);
        return {
          member: res.value?.members?.some((m) => m.value === userId) ?? false,
          ...(version ? { version } : {}),
        };
      },
      // One refused user id does not condemn a form: it is given up only if its control is refused too.
      async (i) => {
        const form = MEMBER_FORMS[i];
        if (form) await this.#control(groupId, form, i);
      },
    );
  }

  /**
   * A server that ignores the member part answers the group for anyone, and everyone would hold
   * every role: a form is trusted only once it answered nothing for an id no one has.
   */
  async #control(groupId: string, form: (g: string, u: string) => string, i: number): Promise<void> {
    if ((await this.#filterMember(groupId, NOBODY, form, i)).hit)
      throw scimError(
        'SCIM.BAD_REQUEST',
        `SCIM group membership filter form ${i} ignores its member part (tenant ${this.#ctx.tenant.id}): not used`,
        this.#ctx.redact,
        { status: 400, scimType: 'invalidFilter', negativeControl: true },
      );
    this.#provenForms.add(i);
  }

  async #filterMember(
    groupId: string,
    userId: string,
    form: (g: string, u: string) => string,
    i: number,
  ): Promise<{ hit?: ScimGroup }> {
    const { value } = await getJson(
      this.#ctx,
      { path: '/Groups', query: { filter: form(groupId, userId), excludedAttributes: 'members', count: 2 } },
      ListResponse,
      'group membership check',
    );
    const groups = (value?.Resources ?? []).map((r) =>
      parseShape(ScimGroup, r, 'group membership check', this.#ctx.tenant.id, this.#ctx.redact),
    );
    // `id eq` matches at most one group: anything else means the server ignored the filter.
    if (value!.totalResults > 1 || groups.some((g) => g.id !== groupId))
      throw scimError(
        'SCIM.BAD_REQUEST',
        `SCIM group membership filter form ${i} was not applied by the server`,
        this.#ctx.redact,
        { status: 400, scimType: 'invalidFilter' },
      );
    return groups[0] ? { hit: groups[0] } : {};
  }

  #forget(groupId: string): void {
    for (const [role, hit] of this.#ids) if (hit.id === groupId) this.#ids.delete(role);
  }

  async #patch(groupId: string, operations: unknown[], ifMatch: string | undefined): Promise<void> {
    await patch(this.#ctx, `/Groups/${encodeURIComponent(groupId)}`, operations, ifMatch);
  }
}

/** Groups named `name` (case-insensitively), and the one to use: the only one, or the only exact match. */
function pickGroup(items: readonly ScimGroup[], name: string): { matches: ScimGroup[]; pick?: ScimGroup } {
  const matches = items.filter((g) => (g.displayName ?? '').toLowerCase() === name.toLowerCase());
  const exact = matches.filter((g) => g.displayName === name);
  const pick = matches.length === 1 ? matches[0] : exact.length === 1 ? exact[0] : undefined;
  return pick ? { matches, pick } : { matches };
}
