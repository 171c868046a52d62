import { isRolecallError } from '../../core/errors.ts';
import { getJson, type ScimContext } from './context.ts';
import { isUnsupportedForm } from './errors.ts';
import { EMAIL_FORMS, eq, MEMBER_FORMS, NAME_FORMS } from './filter.ts';
import { ListResponse, parseShape, ScimGroup, ScimUser } from './schemas.ts';

/**
 * What `rolecall doctor` learns about one tenant's SCIM server without writing anything: which
 * filter forms it honours, whether membership filters are really applied (negative control), how
 * it compares `eq`, what its ETags mean, and so how many calls a grant takes. Each finding carries
 * what to do about it. One bounded sample (`userName pr`, count 1) stands in for the directory.
 */
export interface Finding {
  /** `ok`: nothing to do; `warn`: Rolecall copes, at a cost or with a caveat the operator should know. */
  level: 'ok' | 'warn';
  text: string;
}

const NOBODY = 'rolecall-negative-control-0000';
const EMAIL_NAMES = ['emails[value eq …]', 'emails.value eq …', 'userName eq … (no email filter)'];

export async function surveyServer(ctx: ScimContext, groupIds: string[]): Promise<Finding[]> {
  const out: Finding[] = [];
  const list = async (filter: string, path: '/Users' | '/Groups' = '/Users', count = 2) => {
    const { value } = await getJson(
      ctx,
      {
        path,
        query: {
          filter,
          startIndex: 1,
          count,
          ...(path === '/Groups' ? { excludedAttributes: 'members' } : {}),
        },
      },
      ListResponse,
      'doctor probe',
    );
    return value?.Resources ?? [];
  };
  const works = async (filter: string) => {
    try {
      await list(filter);
      return true;
    } catch (err) {
      if (isUnsupportedForm(err)) return false;
      throw err;
    }
  };
  const sampleRaw = (await list('userName pr', '/Users', 1))[0];
  const sample = sampleRaw
    ? parseShape(ScimUser, sampleRaw, 'doctor probe', ctx.tenant.id, ctx.redact)
    : undefined;

  // Filter forms.
  const probeEmail = 'rolecall-probe@example.invalid';
  let emailForm = -1;
  for (let i = 0; i < EMAIL_FORMS.length && emailForm < 0; i++)
    if (await works(EMAIL_FORMS[i]!(probeEmail))) emailForm = i;
  out.push(
    emailForm === 0
      ? { level: 'ok', text: `email lookup: ${EMAIL_NAMES[0]} works` }
      : emailForm > 0
        ? {
            level: 'warn',
            text: `email lookup: only ${EMAIL_NAMES[emailForm]} works; Rolecall uses it (one refused call per process to learn it)`,
          }
        : { level: 'warn', text: 'email lookup: no email filter works; use userLookup: externalId' },
  );
  let nameForm = -1;
  for (let i = 0; i < NAME_FORMS.length && nameForm < 0; i++)
    if (await works(NAME_FORMS[i]!('rolecall-probe'))) nameForm = i;
  out.push(
    nameForm === NAME_FORMS.length - 1 || nameForm < 0
      ? {
          level: 'warn',
          text: 'name search: only exact userName matches (no co/sw/or); people must be named by @mention or email',
        }
      : {
          level: 'ok',
          text: `name search: partial names work (form ${nameForm + 1} of ${NAME_FORMS.length})`,
        },
  );

  // Case sensitivity of `eq` on userName (RFC 7643 §4.1.1: caseExact false).
  if (sample) {
    const flipped = swapCase(sample.userName);
    const hit = flipped !== sample.userName && (await list(eq('userName', flipped))).length > 0;
    out.push(
      flipped === sample.userName || hit
        ? { level: 'ok', text: 'userName/email eq: case-insensitive, as RFC 7643 requires' }
        : {
            level: 'warn',
            text:
              'userName/email eq: CASE-SENSITIVE (RFC 7643 says it must not be); Rolecall also asks the usual ' +
              'capitalisations (up to 2 more calls per miss). Remedy: userLookup: externalId (Slack ids), or ' +
              'store emails in lower case in the IdP',
          },
    );
  } else out.push({ level: 'warn', text: 'no user to sample: case sensitivity not checked' });

  // Groups on users, member filters and their negative control.
  const groupsOnUsers = Boolean(sampleRaw && typeof sampleRaw === 'object' && 'groups' in sampleRaw);
  let roundTrips = 3;
  if (ctx.cfg.roleModel === 'groups') {
    if (groupsOnUsers)
      out.push({ level: 'ok', text: 'users list their groups: roles are read with one GET per person' });
    const gid = groupIds[0];
    let honoured = -1;
    let ignored = false;
    if (gid)
      for (let i = 0; i < MEMBER_FORMS.length && honoured < 0; i++) {
        try {
          const found = (await list(MEMBER_FORMS[i]!(gid, NOBODY), '/Groups')).map((r) =>
            parseShape(ScimGroup, r, 'doctor probe', ctx.tenant.id, ctx.redact),
          );
          if (found.length === 0) honoured = i;
          else ignored = true;
        } catch (err) {
          if (!isUnsupportedForm(err)) throw err;
        }
      }
    out.push(
      honoured >= 0
        ? {
            level: 'ok',
            text: `member filters honoured (negative control found nothing), form ${honoured + 1}`,
          }
        : ignored
          ? {
              level: 'warn',
              text:
                'member filters IGNORED: a filter for a member nobody is returned the group anyway; Rolecall ' +
                'does not use them and reads group members instead (bounded by the response cap). Report it to the vendor',
            }
          : {
              level: 'warn',
              text: 'member filters refused: Rolecall reads each group’s members (large groups cost bytes)',
            },
    );
    const roles = Object.keys(ctx.tenant.roles).length;
    // read (user + one check per role unless users list groups), PATCH, read-back of one group.
    roundTrips = groupsOnUsers ? 3 : 1 + roles + 2;
  }

  // ETags.
  const { etags } = await ctx.provider();
  const versioned = Boolean(sample?.meta?.version);
  out.push(
    etags
      ? {
          level: 'ok',
          text: 'ETags supported (ServiceProviderConfig): role-list rewrites are guarded by If-Match',
        }
      : {
          level: ctx.cfg.roleModel === 'roles' ? 'warn' : 'ok',
          text:
            `ETags not supported${versioned ? ' (meta.version is sent but not promised)' : ''}: ` +
            (ctx.cfg.roleModel === 'roles'
              ? 'a revoke that rewrites the roles list re-reads it first and refuses with SCIM.CONFLICT if it moved; retry then'
              : 'group membership PATCHes add or remove one member, so concurrent writers do not overwrite each other'),
        },
  );
  out.push({
    level: roundTrips <= 3 ? 'ok' : 'warn',
    text: `a warm grant takes about ${roundTrips} SCIM calls${roundTrips > 3 ? ' (users do not list their groups)' : ''}`,
  });
  return out;
}

function swapCase(s: string): string {
  return [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}

export function describeError(err: unknown): string {
  return isRolecallError(err) ? `${err.code}: ${err.message}` : String(err);
}
