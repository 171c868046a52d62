import { readFileSync } from 'node:fs';
import { parsePolicy } from '../../src/config.ts';
import type { PolicyInput } from '../../src/core/policy.ts';
import { PolicyFile, type Tenant } from '../../src/core/policy-schema.ts';

/** The sample policy shipped with Rolecall: the tests pin its documented behaviour. */
export function sampleTenant(): Tenant {
  const file = new URL('../../rolecall.example.yml', import.meta.url);
  const policy = parsePolicy(readFileSync(file, 'utf8'), file.pathname);
  return policy.tenants[0]!;
}

const base = {
  id: 't1',
  slack: { teams: ['T0TEST'] },
  scim: { baseUrl: 'https://scim.example/v2', roleModel: 'roles' },
};

/** A tenant from plain YAML-like input, parsed by the real schema (defaults applied, refs checked). */
export function tenantOf(partial: {
  roles: Record<string, unknown>;
  rules?: unknown[];
  adminRoles?: string[];
}): Tenant {
  return PolicyFile.parse({ tenants: [{ ...base, ...partial }] }).tenants[0]!;
}

/** A known, active, internal requester asking for someone else unless told otherwise. */
export function ask(
  requesterRoles: string[],
  role: string,
  more: Partial<Omit<PolicyInput, 'requester' | 'target'>> & {
    requester?: Partial<PolicyInput['requester']>;
    target?: Partial<PolicyInput['target']>;
  } = {},
): PolicyInput {
  const { requester, target, ...rest } = more;
  return {
    action: 'grant',
    role,
    ...rest,
    requester: { roles: requesterRoles, active: true, known: true, ...requester },
    target: { isRequester: false, roles: [], known: true, ...target },
  };
}

export const HOUR = 3_600_000;
