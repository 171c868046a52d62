import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseOffline } from '../../src/adapters/intent/index.ts';
import { groundAll } from '../../src/adapters/llm/grounding.ts';
import { TOOL_NAMES } from '../../src/adapters/llm/tools.ts';
import { describeBody, httpError } from '../../src/adapters/scim/errors.ts';
import { ListResponse, parseShape, ScimGroup, ScimUser } from '../../src/adapters/scim/schemas.ts';
import * as parse from '../../src/adapters/slack/parse.ts';
import { parsePolicy } from '../../src/config.ts';
import { isRolecallError } from '../../src/core/errors.ts';
import { makeDirectory } from '../scim/helpers.ts';
import {
  blockActionPayload,
  eventEnvelope,
  mentionEvent,
  viewSubmissionPayload,
} from '../support/slack-payloads.ts';

/**
 * Bad input never crashes anything: Slack payloads, the policy file, SCIM answers and model tool
 * input, random and mutated, small and oversized. Run counts are bounded for a 2-core CI.
 */
const RUNS = { numRuns: 300, seed: 8_2026 };

/** A value with random fields replaced, deleted or added, at any depth. */
function mutated(base: unknown): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      fc.array(fc.tuple(fc.nat(), fc.oneof(fc.anything(), fc.constant(undefined))), { maxLength: 4 }),
      fc.string(),
    )
    .map(([edits, extra]) => {
      const copy = structuredClone(base) as Record<string, unknown>;
      for (const [n, v] of edits) {
        const paths: [Record<string, unknown>, string][] = [];
        const walk = (o: unknown) => {
          if (o && typeof o === 'object')
            for (const k of Object.keys(o)) {
              paths.push([o as Record<string, unknown>, k]);
              walk((o as Record<string, unknown>)[k]);
            }
        };
        walk(copy);
        const p = paths[n % Math.max(1, paths.length)];
        if (!p) continue;
        if (v === undefined) delete p[0][p[1]];
        else p[0][p[1]] = v;
      }
      if (extra) copy[extra] = extra;
      return copy;
    });
}

const isParsed = (r: parse.Parsed<unknown>) =>
  r.ok === true || (r.ok === false && typeof r.reason === 'string' && r.reason.length > 0);

describe('fuzz: Slack payload parsing', () => {
  const mention = eventEnvelope(
    mentionEvent({ user: 'U1', text: '<@UBOT> make <@U2> an editor', channel: 'C1' }),
  );
  const click = blockActionPayload({
    actionId: 'rc_confirm',
    value: 'RC-1',
    userId: 'U1',
    teamId: 'T1',
    channelId: 'C1',
  });
  const view = viewSubmissionPayload({
    callbackId: 'rc_deny_reason',
    privateMetadata: 'RC-1',
    values: { rc_reason_block: { rc_reason_text: 'no' } },
    userId: 'U1',
    teamId: 'T1',
  });
  const parsers: [string, (b: unknown) => parse.Parsed<unknown>, unknown][] = [
    ['mention', (b) => parse.parseMention(b, 'UBOT'), mention],
    ['dm', (b) => parse.parseDm(b, 'UBOT'), mention],
    ['home', parse.parseHomeOpened, mention],
    [
      'command',
      parse.parseCommand,
      { team_id: 'T1', user_id: 'U1', channel_id: 'C1', text: 'x', trigger_id: 't' },
    ],
    ['click', parse.parseClick, click],
    ['request modal', parse.parseRequestSubmission, view],
    ['deny modal', (b) => parse.parseDenySubmission(b as never), view],
  ];
  for (const [name, p, base] of parsers)
    it(`${name}: any value or mutation of a real payload is parsed or skipped with a reason, never thrown`, () => {
      fc.assert(
        fc.property(fc.oneof(fc.anything(), mutated(base)), (body) => {
          expect(isParsed(p(body))).toBe(true);
        }),
        RUNS,
      );
    });

  it('oversized text (1 MB) is parsed without a crash and the offline parser refuses it as unclear', () => {
    const big = `make <@U2> an editor ${'a'.repeat(1_000_000)}`;
    const r = parse.parseMention(
      eventEnvelope(mentionEvent({ user: 'U1', text: `<@UBOT> ${big}`, channel: 'C1' })),
      'UBOT',
    );
    expect(r.ok).toBe(true);
    const intents = parseOffline({ text: big, roles: ['viewer', 'editor'], now: new Date() } as never);
    expect(JSON.stringify(intents)).not.toContain('request_role_change');
  });
});

const POLICY = {
  tenants: [
    {
      id: 'acme',
      slack: { teams: ['T0ACME'], approvalChannel: 'C0APPROVALS' },
      scim: { baseUrl: 'https://acme.example/scim/v2', tokenEnv: 'ACME_SCIM_TOKEN', roleModel: 'groups' },
      roles: {
        viewer: { group: 'Viewers' },
        admin: { group: 'Admins' },
        owner: { group: 'Owners', protected: true },
      },
      adminRoles: ['admin', 'owner'],
      rules: [{ who: ['admin'], can: ['grant'], roles: ['viewer'], approval: 'none' }],
    },
  ],
};

function expectPolicyOutcome(text: string) {
  try {
    parsePolicy(text, 'fuzz.yml');
  } catch (err) {
    expect(isRolecallError(err, 'CONFIG.INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/^fuzz\.yml/);
  }
}

describe('fuzz: policy loader', () => {
  it('the real policy parses (the fuzz starts from a valid file)', () => {
    expect(parsePolicy(stringify(POLICY), 'fuzz.yml').tenants[0]?.id).toBe('acme');
  });
  it('random text is accepted or refused with CONFIG.INVALID naming the file', () => {
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), expectPolicyOutcome), RUNS);
  });
  it('mutations of a valid policy are accepted or refused with a key path', () => {
    fc.assert(
      fc.property(mutated(POLICY), (p) => expectPolicyOutcome(stringify(p))),
      RUNS,
    );
  });
  it('an oversized policy (a 20 000-role catalogue, YAML alias bombs) fails cleanly or parses', () => {
    const roles = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`r${i}`, { group: `G${i}` }]));
    expectPolicyOutcome(stringify({ tenants: [{ ...POLICY.tenants[0], roles }] }));
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      );
    expectPolicyOutcome(bomb.join('\n'));
  });
});

describe('fuzz: SCIM response parsing', () => {
  const redact = (s: string) => s;
  it('any JSON value is a user/group/list or SCIM.INVALID_RESPONSE', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue()), (v) => {
        for (const schema of [ScimUser, ScimGroup, ListResponse])
          try {
            parseShape(schema as never, v, 'fuzz', 'acme', redact);
          } catch (err) {
            expect(isRolecallError(err, 'SCIM.INVALID_RESPONSE')).toBe(true);
          }
      }),
      RUNS,
    );
  });
  it('error bodies of any text (JSON, HTML, binary, huge) give an error with a code and a bounded message', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.json(), fc.string({ minLength: 100_000, maxLength: 200_000 })),
        fc.integer({ min: 100, max: 599 }),
        (body, status) => {
          describeBody(body);
          const err = httpError({
            tenantId: 'acme',
            method: 'GET',
            path: '/Users',
            status,
            body,
            attempts: 1,
            redact,
          });
          expect(err.code).toMatch(/^SCIM\./);
          expect(err.message.length).toBeLessThan(2_000);
        },
      ),
      { ...RUNS, numRuns: 100 },
    );
  });

  describe('a server answering with fuzzed bodies', () => {
    let body = '{}';
    let status = 200;
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/scim+json' }).end(body);
    });
    let url = '';
    beforeAll(async () => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('every client operation resolves or throws a SCIM.* RolecallError', async () => {
      const { dir } = makeDirectory(url, { overrides: { retries: 0 } });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.json(),
            fc.string(),
            fc.jsonValue().map((v) => JSON.stringify({ Resources: [v], totalResults: 1 })),
          ),
          fc.constantFrom(200, 201, 400, 404, 409, 500),
          fc.constantFrom('user', 'email', 'roles', 'grant', 'search'),
          async (b, s, op) => {
            body = b;
            status = s;
            try {
              if (op === 'user') await dir.getUser('u1');
              else if (op === 'email') await dir.findUserByEmail('a@b.test');
              else if (op === 'roles') await dir.getRoles('u1');
              else if (op === 'grant') await dir.grant('u1', 'admin');
              else await dir.searchUsersByName('Dana', 5);
            } catch (err) {
              expect(isRolecallError(err)).toBe(true);
              expect((err as { code: string }).code).toMatch(/^SCIM\./);
            }
          },
        ),
        { ...RUNS, numRuns: 150 },
      );
      await dir.close();
    });
  });
});

describe('fuzz: model tool input', () => {
  const ctx = {
    text: 'make <@U2> an editor for 2 hours',
    roles: ['viewer', 'editor', 'admin'],
    now: new Date(),
    timeZone: 'UTC',
  };
  it('any tool name and input grounds to an intent or a refusal with a reason, never a throw', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            name: fc.oneof(fc.constantFrom(...TOOL_NAMES), fc.string()),
            input: fc.oneof(
              fc.anything(),
              fc.record({
                action: fc.oneof(fc.constantFrom('grant', 'revoke'), fc.string()),
                targets: fc.array(
                  fc.record({
                    kind: fc.constantFrom('me', 'slack_user', 'email', 'name'),
                    value: fc.string(),
                  }),
                ),
                role: fc.oneof(fc.constantFrom('viewer', 'editor', 'admin', 'owner'), fc.string()),
                duration_phrase: fc.oneof(fc.constant('for 2 hours'), fc.string()),
                justification: fc.string(),
              }),
            ),
          }),
          { maxLength: 5 },
        ),
        (calls) => {
          const out = groundAll(calls, ctx);
          expect(out).toHaveLength(calls.length);
          for (const g of out) if (!g.ok) expect(g.reason.length).toBeGreaterThan(0);
          // A role outside the catalogue is never grounded.
          for (const g of out)
            if (g.ok && g.intent.kind === 'request_role_change') expect(ctx.roles).toContain(g.intent.role);
        },
      ),
      RUNS,
    );
  });
});
