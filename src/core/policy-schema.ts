import { z } from 'zod';
import { DURATION_PATTERN, parseDurationSpec } from './duration.ts';

/** The tenant/policy part of rolecall.yml. Pure schema: loading and env live in src/config.ts. */
const Duration = z
  .string()
  .regex(DURATION_PATTERN, 'a duration such as "15m", "8h" or "2d"')
  .transform((s) => parseDurationSpec(s) as number);

const SlackId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[A-Z0-9]{2,}$`), `a Slack id starting with ${prefix}`);

export const RoleDef = z
  .object({
    /** groups model: the SCIM Group's displayName, or its id. */
    group: z.string().min(1).optional(),
    groupId: z.string().min(1).optional(),
    /** roles / attribute models: the value stored on the user. Defaults to the role's key. */
    value: z.string().min(1).optional(),
    /** Never applied without approval, whatever the rules say. */
    protected: z.boolean().default(false),
    /** Privilege level; higher is more powerful. Defaults to the role's position in the catalogue. */
    level: z.number().int().optional(),
    description: z.string().optional(),
  })
  .strict();
export type RoleDef = z.infer<typeof RoleDef>;

export const Approval = z.union([
  z.literal('none'),
  z
    .object({
      by: z.array(z.string()).min(1),
      count: z.number().int().min(1).max(10).default(1),
    })
    .strict(),
]);

export const Rule = z
  .object({
    id: z.string().optional(),
    /** Catalogue roles the requester must hold, or `anyone` (any active user of the tenant). */
    who: z.array(z.string()).min(1),
    can: z.array(z.enum(['grant', 'revoke', 'view'])).min(1),
    roles: z.array(z.string()).min(1),
    target: z.enum(['self', 'others', 'any']).default('any'),
    approval: Approval.default('none'),
    maxDuration: Duration.optional(),
    /** What to do with a longer request: `deny` it (default) or `cap` it at maxDuration. */
    overMax: z.enum(['deny', 'cap']).default('deny'),
    /** Lets requesters grant a role above their own highest level. Off unless said. */
    allowAboveOwnLevel: z.boolean().default(false),
  })
  .strict();
export type Rule = z.infer<typeof Rule>;

export const ScimConfig = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/ }),
    tokenEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
      .optional(),
    basicAuth: z
      .object({ usernameEnv: z.string().min(1), passwordEnv: z.string().min(1) })
      .strict()
      .optional(),
    roleModel: z.enum(['groups', 'roles', 'attribute']).default('groups'),
    /** attribute model: where the single role value lives, e.g. `urn:…:enterprise:2.0:User:role` or `title`. */
    attributePath: z.string().min(1).optional(),
    userLookup: z.enum(['email', 'userName', 'externalId']).default('email'),
    /**
     * userLookup email: the Slack address must be the directory user's primary email (`primary`),
     * or may be any of their addresses (`any`: aliases and shared mailboxes then identify them too).
     */
    emailMatch: z.enum(['primary', 'any']).default('primary'),
    timeout: Duration.default(10_000),
    retries: z.number().int().min(0).max(10).default(3),
    maxRetryAfter: Duration.default(30_000),
    pageSize: z.number().int().min(1).max(1000).default(100),
    maxPages: z.number().int().min(1).max(1000).default(20),
  })
  .strict()
  .refine((s) => s.roleModel !== 'attribute' || s.attributePath, {
    message: 'roleModel "attribute" needs attributePath',
    path: ['attributePath'],
  })
  .refine((s) => !(s.tokenEnv && s.basicAuth), {
    message: 'use tokenEnv or basicAuth, not both',
    path: ['basicAuth'],
  });
export type ScimConfig = z.infer<typeof ScimConfig>;

export const Tenant = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _'),
    name: z.string().optional(),
    slack: z
      .object({
        teams: z.array(SlackId('[TE]')).min(1),
        sharedChannels: z.array(SlackId('[CG]')).default([]),
        approvalChannel: SlackId('[CG]').optional(),
        /** DM the target when a role they hold changes. */
        notifyTarget: z.boolean().default(true),
      })
      .strict(),
    scim: ScimConfig,
    roles: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/), RoleDef),
    rules: z.array(Rule).default([]),
    /** Roles whose holders see this tenant's audit records in App Home and may ask about anyone's roles. */
    adminRoles: z.array(z.string()).default([]),
  })
  .strict();
export type Tenant = z.infer<typeof Tenant>;

export const Operators = z
  .object({
    /** The vendor's Slack team(s); a rep must be a member of one of them. */
    teams: z.array(SlackId('[TE]')).default([]),
    /** Slack user ids of the vendor's support reps. */
    users: z.array(SlackId('[UW]')).default([]),
  })
  .strict();

export const Timers = z
  .object({
    confirmationTtl: Duration.default(15 * 60_000),
    pendingTtl: Duration.default(24 * 3_600_000),
    reminderBefore: Duration.default(2 * 3_600_000),
  })
  .strict();

export const PolicyFile = z
  .object({
    tenants: z.array(Tenant).min(1),
    operators: Operators.default({ teams: [], users: [] }),
    timers: Timers.default({ confirmationTtl: 900_000, pendingTtl: 86_400_000, reminderBefore: 7_200_000 }),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seenTeams = new Map<string, string>();
    file.tenants.forEach((t, ti) => {
      const roles = new Set(Object.keys(t.roles));
      const known = (name: string) => roles.has(name);
      t.slack.teams.forEach((team, i) => {
        const other = seenTeams.get(team);
        if (other)
          ctx.addIssue({
            code: 'custom',
            path: ['tenants', ti, 'slack', 'teams', i],
            message: `team ${team} already belongs to tenant ${other}`,
          });
        seenTeams.set(team, t.id);
      });
      if (t.scim.roleModel === 'groups')
        for (const [name, def] of Object.entries(t.roles))
          if (!def.group && !def.groupId)
            ctx.addIssue({
              code: 'custom',
              path: ['tenants', ti, 'roles', name],
              message: 'roleModel "groups" needs group or groupId',
            });
      const ruleIds = new Map<string, number>();
      t.rules.forEach((r, ri) => {
        // Decisions and audit records name rules by id: two rules with one id would be indistinguishable.
        const rid = r.id ?? `rule-${ri + 1}`;
        if (ruleIds.has(rid))
          ctx.addIssue({
            code: 'custom',
            path: ['tenants', ti, 'rules', ri, 'id'],
            message: `duplicate rule id "${rid}" (also rules[${ruleIds.get(rid)}])`,
          });
        ruleIds.set(rid, ri);
        r.who.forEach((w, i) => {
          if (w !== 'anyone' && !known(w))
            ctx.addIssue({
              code: 'custom',
              path: ['tenants', ti, 'rules', ri, 'who', i],
              message: `unknown role "${w}"`,
            });
        });
        r.roles.forEach((w, i) => {
          if (!known(w))
            ctx.addIssue({
              code: 'custom',
              path: ['tenants', ti, 'rules', ri, 'roles', i],
              message: `unknown role "${w}"`,
            });
        });
        if (r.approval !== 'none')
          r.approval.by.forEach((w, i) => {
            if (!known(w))
              ctx.addIssue({
                code: 'custom',
                path: ['tenants', ti, 'rules', ri, 'approval', 'by', i],
                message: `unknown role "${w}"`,
              });
          });
      });
      t.adminRoles.forEach((w, i) => {
        if (!known(w))
          ctx.addIssue({
            code: 'custom',
            path: ['tenants', ti, 'adminRoles', i],
            message: `unknown role "${w}"`,
          });
      });
    });
    const ids = file.tenants.map((t) => t.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        ctx.addIssue({ code: 'custom', path: ['tenants', i, 'id'], message: `duplicate tenant id "${id}"` });
    });
  });
export type PolicyFile = z.infer<typeof PolicyFile>;
