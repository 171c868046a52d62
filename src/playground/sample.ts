import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPolicyFile, parsePolicy } from '../config.ts';
import { RolecallError } from '../core/errors.ts';
import { roleLevels } from '../core/policy.ts';
import type { PolicyFile, Tenant } from '../core/policy-schema.ts';
import type { SeedGroup, SeedUser } from './scim-server/state.ts';

/**
 * The playground's sample organisation: a built-in demo policy (or the first tenant of the user's
 * own rolecall.yml) and sample people whose roles follow the catalogue's order, so the same people
 * work with any catalogue. Everything points at the embedded directory, never a real one.
 */

/** The Slack-shaped ids the page uses; the policy must know the team and the approval channel. */
export const DEMO_TEAM = 'T0DEMO';
export const DEMO_APPROVALS = 'C0APPROVALS';
export const DEMO_GENERAL = 'C0GENERAL';
/** The embedded directory's bearer token is put in the environment under this name. */
export const SCIM_TOKEN_ENV = 'ROLECALL_PLAYGROUND_SCIM_TOKEN';

export const DEMO_POLICY = `
# The playground's built-in policy (used when there is no rolecall.yml).
tenants:
  - id: demo
    name: Demo Co
    slack: { teams: [${DEMO_TEAM}], approvalChannel: ${DEMO_APPROVALS} }
    scim: { baseUrl: "http://127.0.0.1/scim/v2", roleModel: groups, userLookup: email }
    roles:
      viewer: { group: Viewers }
      editor: { group: Editors }
      admin:  { group: Admins }
      owner:  { group: Owners, protected: true }
    adminRoles: [admin, owner]
    rules:
      # Self-service: anyone may make themselves a viewer, no approval — also someone with no role
      # yet, for whom viewer is above their own level (hence allowAboveOwnLevel).
      - { id: self-service-viewer, who: [anyone], can: [grant], roles: [viewer], target: self, approval: none,
          allowAboveOwnLevel: true }
      # Admins and owners manage viewers and editors directly.
      - { id: leads-manage-team, who: [admin, owner], can: [grant, revoke], roles: [viewer, editor], approval: none }
      # Editors may ask for others; an admin or owner approves; at most 8 hours (longer is capped).
      - { id: editors-ask, who: [editor], can: [grant], roles: [viewer, editor], target: others,
          approval: { by: [admin, owner], count: 1 }, maxDuration: 8h, overMax: cap }
      # Admin is time-bound and needs one other admin or owner to approve.
      - { id: admins, who: [admin, owner], can: [grant, revoke], roles: [admin],
          approval: { by: [admin, owner], count: 1 }, maxDuration: 8h }
      # Owner is protected: always approved by an owner.
      - { id: owners, who: [owner], can: [grant], roles: [owner], approval: { by: [owner], count: 1 } }
`;

export interface SamplePerson {
  slackId: string;
  name: string;
  email: string;
  /** Index from the top of the catalogue (0 = most privileged), or none. */
  rank: 'top' | 'second' | 'low' | 'lowest' | 'none';
  tz: string;
}

export const SAMPLE_PEOPLE: readonly SamplePerson[] = [
  {
    slackId: 'U0OLIVIA',
    name: 'Olivia Park',
    email: 'olivia@example.com',
    rank: 'top',
    tz: 'Europe/Berlin',
  },
  {
    slackId: 'U0ALEX',
    name: 'Alex Rivera',
    email: 'alex@example.com',
    rank: 'second',
    tz: 'America/New_York',
  },
  { slackId: 'U0ERIN', name: 'Erin Chen', email: 'erin@example.com', rank: 'low', tz: 'Europe/London' },
  { slackId: 'U0VIC', name: 'Victor Vance', email: 'vic@example.com', rank: 'lowest', tz: 'Asia/Tokyo' },
  {
    slackId: 'U0DANAKIM',
    name: 'Dana Kim',
    email: 'dana.kim@example.com',
    rank: 'lowest',
    tz: 'Europe/Berlin',
  },
  {
    slackId: 'U0DANALEE',
    name: 'Dana Lee',
    email: 'dana.lee@example.com',
    rank: 'none',
    tz: 'Europe/Berlin',
  },
];

export interface Sample {
  policy: PolicyFile;
  tenant: Tenant;
  /** Where the policy came from: the built-in demo or a file path. */
  source: string;
  users: SeedUser[];
  groups: SeedGroup[];
  people: readonly SamplePerson[];
  teamId: string;
  approvalChannel: string | undefined;
}

/**
 * The policy for the playground: `file` when it exists, else the built-in demo. Only the first
 * tenant is kept, its directory becomes the embedded one (`scimBaseUrl`), and operators are dropped.
 */
export function samplePolicy(file: string | undefined, scimBaseUrl: string): Sample {
  const path = file ? resolve(file) : undefined;
  const fromFile = path !== undefined && existsSync(path);
  const parsed = fromFile ? loadPolicyFile(path) : parsePolicy(DEMO_POLICY, 'built-in demo policy');
  const first = parsed.tenants[0]!;
  const tenant: Tenant = {
    ...first,
    scim: { ...first.scim, baseUrl: scimBaseUrl, tokenEnv: SCIM_TOKEN_ENV, basicAuth: undefined },
  };
  const policy: PolicyFile = { ...parsed, tenants: [tenant], operators: { teams: [], users: [] } };
  const teamId = tenant.slack.teams[0]!;
  return {
    policy,
    tenant,
    source: fromFile ? path : 'built-in demo policy',
    ...seed(tenant),
    people: SAMPLE_PEOPLE,
    teamId,
    approvalChannel: tenant.slack.approvalChannel,
  };
}

/** Directory contents: each sample person gets the catalogue role their rank names, in the tenant's role model. */
function seed(tenant: Tenant): { users: SeedUser[]; groups: SeedGroup[] } {
  const levels = roleLevels(tenant);
  const ordered = [...levels.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  const at = (i: number) => ordered[Math.max(0, Math.min(ordered.length - 1, i))];
  const roleOf = (p: SamplePerson): string | undefined =>
    p.rank === 'none'
      ? undefined
      : p.rank === 'top'
        ? at(0)
        : p.rank === 'second'
          ? at(1)
          : p.rank === 'low'
            ? at(ordered.length - 2)
            : at(ordered.length - 1);
  const model = tenant.scim.roleModel;
  const users: SeedUser[] = SAMPLE_PEOPLE.map((p) => {
    const role = roleOf(p);
    const value = role ? (tenant.roles[role]!.value ?? role) : undefined;
    const [givenName, familyName] = p.name.split(' ');
    return {
      userName: p.email,
      displayName: p.name,
      name: { givenName, familyName, formatted: p.name },
      emails: [p.email],
      externalId: p.slackId,
      ...(model === 'roles' && value ? { roles: [value] } : {}),
      ...(model === 'attribute' && value ? attribute(tenant.scim.attributePath!, value) : {}),
    };
  });
  const groups: SeedGroup[] =
    model === 'groups'
      ? Object.entries(tenant.roles).map(([role, def]) => ({
          ...(def.groupId ? { id: def.groupId } : {}),
          displayName: def.group ?? def.groupId ?? role,
          members: SAMPLE_PEOPLE.filter((p) => roleOf(p) === role).map((p) => p.email),
        }))
      : [];
  return { users, groups };
}

/** `title` or `urn:…:User:role` as a seed attribute. */
function attribute(path: string, value: string): Record<string, unknown> {
  if (!path.toLowerCase().startsWith('urn:')) {
    if (path.includes('.'))
      throw new RolecallError(
        'CONFIG.INVALID',
        `attributePath ${path}: the playground seeds top-level or URN attributes only`,
      );
    return { [path]: value };
  }
  const cut = path.lastIndexOf(':');
  return { [path.slice(0, cut)]: { [path.slice(cut + 1)]: value } };
}
