import type { AllMiddlewareArgs, AnyMiddlewareArgs, App } from '@slack/bolt';
import { ACTIONS, DENY_MODAL_CALLBACK } from '../../app/inbound.ts';
import { notThisWorkspacesRequest, workspaceNotSetUp } from '../../app/messages.ts';
import type { PolicyFile } from '../../core/policy-schema.ts';
import type { InstallationBinding, Installations } from '../../ports/installations.ts';
import type { Logger } from '../log/logger.ts';
import { baseActionId, renderCard } from './blocks.ts';
import { inInstallationScope } from './workspace-chat.ts';

/** An installation as events identify it: the org for an org-wide install, else the workspace. */
export interface InstallRef {
  id: string;
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall: boolean;
}

export function installRef(c: {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall?: boolean | undefined;
}): InstallRef | undefined {
  const org = Boolean(c.isEnterpriseInstall);
  const id = org ? c.enterpriseId : c.teamId;
  return id ? { id, teamId: c.teamId, enterpriseId: c.enterpriseId, isEnterpriseInstall: org } : undefined;
}

/**
 * Which tenants an installation serves. The operator decides, never the installer: a tenant lists
 * the installation's team (or its Enterprise Grid org) under `slack.teams` in the policy file, or
 * an operator bound it with `rolecall installs bind` (stored, audited). Bindings are read fresh
 * each time, and bound ids join the tenant's `slack.teams` in memory, so the people of a bound
 * workspace are recognised as the tenant's own (identify) and an unbind takes effect at once.
 */
export class Tenancy {
  readonly #policy: PolicyFile;
  readonly #installations: Installations;
  readonly #listed: Map<string, readonly string[]>;

  constructor(policy: PolicyFile, installations: Installations) {
    this.#policy = policy;
    this.#installations = installations;
    this.#listed = new Map(policy.tenants.map((t) => [t.id, [...t.slack.teams]]));
  }

  /** Reads the bindings and brings every tenant's in-memory `slack.teams` in step with them. */
  async sync(): Promise<InstallationBinding[]> {
    const bindings = await this.#installations.bindings();
    for (const t of this.#policy.tenants) {
      const listed = this.#listed.get(t.id) ?? [];
      const bound = bindings.filter((b) => b.tenantId === t.id && !listed.includes(b.installationId));
      t.slack.teams = [...listed, ...bound.map((b) => b.installationId)];
    }
    return bindings;
  }

  listedTenants(ref: InstallRef): string[] {
    return this.#policy.tenants
      .filter((t) => {
        const listed = this.#listed.get(t.id) ?? [];
        return (
          listed.includes(ref.id) || (ref.enterpriseId !== undefined && listed.includes(ref.enterpriseId))
        );
      })
      .map((t) => t.id);
  }

  /** The tenants this installation serves (usually one; none means unbound). */
  async tenantsOf(ref: InstallRef): Promise<string[]> {
    const bindings = await this.sync();
    const bound = bindings
      .filter((b) => b.installationId === ref.id && this.#listed.has(b.tenantId))
      .map((b) => b.tenantId);
    return [...new Set([...this.listedTenants(ref), ...bound])];
  }
}

type Args = AnyMiddlewareArgs & AllMiddlewareArgs;
type Json = Record<string, unknown>;

const REQUEST_ACTIONS = new Set<string>([
  ACTIONS.confirm,
  ACTIONS.cancel,
  ACTIONS.approve,
  ACTIONS.deny,
  ACTIONS.retry,
]);

/** The request a click or deny submission acts on, if any ("choose" creates one, so it has none). */
export function requestIdOf(body: Json): string | undefined {
  if (body.type === 'block_actions') {
    const a = (body.actions as Json[] | undefined)?.[0];
    return a && REQUEST_ACTIONS.has(baseActionId(String(a.action_id))) ? String(a.value ?? '') : undefined;
  }
  if (body.type === 'view_submission') {
    const v = body.view as Json | undefined;
    return v?.callback_id === DENY_MODAL_CALLBACK ? String(v.private_metadata ?? '') : undefined;
  }
  return undefined;
}

export interface TenancyGuardDeps {
  tenancy: Tenancy;
  log: Logger;
  /** The tenant of a stored request (undefined when there is none). */
  requestTenant(requestId: string): Promise<string | undefined>;
  /** app_uninstalled / tokens_revoked for this installation. */
  removed(ref: InstallRef, event: 'app_uninstalled' | 'tokens_revoked'): Promise<void>;
}

/**
 * Global middleware, before every listener: uninstall events disable the installation; an
 * unbound installation gets one polite sentence and nothing else; a click or deny on another
 * tenant's request is refused; everything else runs inside its installation's token scope.
 */
export function registerTenancyGuard(app: App, deps: TenancyGuardDeps): void {
  registerRemovals(app, deps);
  app.use(async (args: Args) => {
    const body = args.body as Json;
    const event = body.type === 'event_callback' ? (body.event as Json | undefined) : undefined;
    const ref = installRef(args.context);
    // Slack sends these without a usable token (Bolt skips authorize); the listeners below act on them.
    if (event?.type === 'app_uninstalled' || event?.type === 'tokens_revoked') return args.next();
    const token = args.context.botToken;
    if (!ref || !token) return;
    const tenants = await deps.tenancy.tenantsOf(ref);
    if (tenants.length === 0) {
      deps.log.info({ installation: ref.id, type: body.type ?? event?.type }, 'unbound workspace refused');
      return notSetUp(args, event);
    }
    const requestId = requestIdOf(body);
    if (requestId) {
      const owner = await deps.requestTenant(requestId);
      if (owner !== undefined && !tenants.includes(owner)) {
        deps.log.warn({ installation: ref.id, requestId, owner }, "refused: another tenant's request");
        await ackOf(args)?.();
        const respond = (args as { respond?: (m: Json) => Promise<unknown> }).respond;
        if (respond && body.type === 'block_actions')
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            ...renderCard(notThisWorkspacesRequest()),
          }).catch(() => undefined);
        return;
      }
    }
    await inInstallationScope(ref.id, token, () => args.next());
  });
}

/** Uninstall and revocation: the installation is disabled and its token deleted. */
function registerRemovals(app: App, deps: TenancyGuardDeps): void {
  app.event('app_uninstalled', async ({ context }) => {
    const ref = installRef(context);
    if (ref) await deps.removed(ref, 'app_uninstalled');
  });
  app.event('tokens_revoked', async ({ context, event }) => {
    const ref = installRef(context);
    // Only the bot token matters: Rolecall asks for no user scopes and keeps no user tokens.
    if (ref && (event.tokens.bot?.length ?? 0) > 0) await deps.removed(ref, 'tokens_revoked');
  });
}

const ackOf = (args: Args) => (args as { ack?: (response?: Json) => Promise<void> }).ack;

async function notSetUp(args: Args, event: Json | undefined): Promise<void> {
  const { text, blocks } = renderCard(workspaceNotSetUp());
  const body = args.body as Json;
  const ack = ackOf(args);
  if ('command' in body && ack) return ack({ response_type: 'ephemeral', text, blocks });
  await ack?.();
  if (!event || typeof event.user !== 'string' || event.bot_id || event.subtype) return;
  const channel = String(event.channel ?? '');
  // Said once, to the person who asked, in their own workspace (this installation's token).
  if (event.type === 'app_mention')
    await args.client.chat.postEphemeral({ channel, user: event.user, text, blocks }).catch(() => undefined);
  else if (event.type === 'message' && event.channel_type === 'im')
    await args.client.chat.postMessage({ channel, text, blocks }).catch(() => undefined);
}
