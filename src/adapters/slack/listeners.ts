import type { App } from '@slack/bolt';
import { ACTIONS, DENY_MODAL_CALLBACK, type UseCases } from '../../app/inbound.ts';
import { formNotOpened } from '../../app/messages.ts';
import { FORM_ACTION } from '../../app/request-form.ts';
import type { Logger } from '../log/logger.ts';
import { renderCard } from './blocks.ts';
import type { WebClient } from './chat.ts';
import { toSlackError } from './errors.ts';
import type { InFlight } from './inflight.ts';
import { SLASH_COMMANDS } from './manifest.ts';
import {
  type Parsed,
  parseClick,
  parseCommand,
  parseDenySubmission,
  parseDm,
  parseHomeOpened,
  parseMention,
  parseRequestSubmission,
} from './parse.ts';
import { formOpener, registerRequestForm } from './request-form.ts';
import {
  denyModal,
  homeView,
  REASON_INPUT,
  REQUEST_INPUT,
  REQUEST_MODAL_CALLBACK,
  requestModal,
} from './views.ts';

export const COMMAND = SLASH_COMMANDS[0];

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Every Rolecall button except deny (which opens a modal first), with the `#n` suffix of repeated ids. */
const CLICK_ACTIONS = new RegExp(
  `^(?:${Object.values(ACTIONS)
    .filter((a) => a !== ACTIONS.deny)
    .map(reEscape)
    .join('|')})(?:#\\d+)?$`,
);
const DENY_ACTION = new RegExp(`^${reEscape(ACTIONS.deny)}(?:#\\d+)?$`);

export interface ListenerDeps {
  useCases: UseCases;
  log: Logger;
  work: InFlight;
  /**
   * For views.open only: no retries and no waiting out a 429, because the trigger_id it spends
   * expires 3 seconds after the click; past that a retry can only fail (expired_trigger_id).
   */
  views: Pick<WebClient, 'views'>;
  /** Slack says the app was uninstalled or its tokens revoked (readiness turns false). */
  onAuthLost(reason: string): void;
}

/** Action ids other listeners (e.g. another modal's file) handle; the catch-all leaves them alone. */
const withToken = (token: string | undefined) => (token ? { token } : {});
const FORM_ACTIONS = new RegExp(`^${reEscape(FORM_ACTION)}(?:#\\d+)?$`);
export const HANDLED_ACTIONS: RegExp[] = [CLICK_ACTIONS, DENY_ACTION, FORM_ACTIONS];

/**
 * Listeners only acknowledge, parse into inbound shapes, call one use case and render its answer.
 * Acks come first everywhere (Bolt acks events itself before listeners run), and the use case runs
 * as tracked background work, so a slow use case never holds Slack's 3-second window.
 */
export function registerListeners(app: App, { useCases, log, work, views, onAuthLost }: ListenerDeps): void {
  registerRequestForm(app, { useCases, log, work });
  const unusable = (what: string, p: Extract<Parsed<unknown>, { ok: false }>) =>
    p.malformed
      ? log.warn({ what, reason: p.reason }, 'unusable Slack payload')
      : log.debug({ what, reason: p.reason }, 'ignored');

  app.event('app_mention', async ({ body, context }) => {
    const p = parseMention(body, context.botUserId);
    if (!p.ok) return unusable('app_mention', p);
    void work.run('handleMessage', { deliveryId: p.value.deliveryId, source: 'mention' }, () =>
      useCases.handleMessage(p.value),
    );
  });

  app.event('message', async ({ body, context }) => {
    const p = parseDm(body, context.botUserId);
    if (!p.ok) return unusable('message', p);
    void work.run('handleMessage', { deliveryId: p.value.deliveryId, source: 'dm' }, () =>
      useCases.handleMessage(p.value),
    );
  });

  app.event('app_home_opened', async ({ body, client }) => {
    const p = parseHomeOpened(body);
    if (!p.ok) return unusable('app_home_opened', p);
    const { userId, teamId } = p.value;
    void work.run('renderHome', { userId, teamId }, async () => {
      const home = await useCases.renderHome(userId, teamId);
      await client.views.publish({ user_id: userId, view: homeView(home) }).catch((err: unknown) => {
        throw toSlackError(err, 'views.publish');
      });
    });
  });

  app.event('app_uninstalled', async () => onAuthLost('app_uninstalled'));
  app.event('tokens_revoked', async ({ event, context }) => {
    const bots = (event as { tokens?: { bot?: string[] } }).tokens?.bot ?? [];
    if (!context.botUserId || bots.includes(context.botUserId)) onAuthLost('tokens_revoked');
  });

  app.command(COMMAND, async ({ ack, body, respond, context, client }) => {
    await ack();
    const p = parseCommand(body);
    if (!p.ok) return unusable('command', p);
    const { message, triggerId } = p.value;
    if (message.text) {
      // Not understood → the request form opens at once with the command's trigger (issue 16).
      const openForm = triggerId
        ? formOpener(
            {
              open: (a) => views.views.open({ ...withToken(context.botToken), ...a }),
              update: (a) => client.views.update(a),
            },
            triggerId,
            log,
          )
        : undefined;
      void work.run('handleMessage', { deliveryId: message.deliveryId, source: 'command' }, () =>
        useCases.handleMessage(message, openForm),
      );
      return;
    }
    if (!triggerId)
      return unusable('command', { ok: false, reason: 'empty command without trigger_id', malformed: true });
    void work.run('views.open', { view: REQUEST_MODAL_CALLBACK }, () =>
      views.views
        // The token of the workspace the command came through (OAuth distribution has no single token).
        .open({
          ...withToken(context.botToken),
          trigger_id: triggerId,
          view: requestModal(message.channelId, message.responseUrl, message.isDm),
        })
        .then(
          () => {},
          (err: unknown) => formFailed(toSlackError(err, 'views.open'), 'request', respond),
        ),
    );
  });

  app.action(CLICK_ACTIONS, async ({ ack, body, respond }) => {
    await ack();
    const p = parseClick(body);
    if (!p.ok) return unusable('block_actions', p);
    const { click } = p.value;
    void work.run('handleClick', { actionId: click.actionId, userId: click.clicker.userId }, async () => {
      const spent = await useCases.handleClick(click);
      // Through response_url, the only way to change an ephemeral card; a failure here costs only looks.
      if (spent)
        await respond({ replace_original: true, ...renderCard(spent) }).catch((err: unknown) =>
          log.warn({ err: toSlackError(err, 'response_url') }, 'could not replace the clicked card'),
        );
    });
  });

  app.action(DENY_ACTION, async ({ ack, body, respond, context }) => {
    await ack();
    const p = parseClick(body);
    if (!p.ok) return unusable('block_actions', p);
    const { click, triggerId } = p.value;
    if (!triggerId || !click.value)
      return unusable('block_actions', {
        ok: false,
        reason: 'deny without trigger_id or request id',
        malformed: true,
      });
    void work.run('views.open', { view: DENY_MODAL_CALLBACK, requestId: click.value }, () =>
      views.views
        .open({ ...withToken(context.botToken), trigger_id: triggerId, view: denyModal(click.value) })
        .then(
          () => {},
          (err: unknown) => formFailed(toSlackError(err, 'views.open'), 'deny', respond),
        ),
    );
  });

  app.view(REQUEST_MODAL_CALLBACK, async ({ ack, body }) => {
    const p = parseRequestSubmission(body);
    if (!p.ok) {
      await ack();
      return unusable('view_submission', p);
    }
    if (!p.value.text)
      return ack({
        response_action: 'errors',
        errors: { [REQUEST_INPUT.block]: 'Tell Rolecall what you need.' },
      });
    await ack();
    void work.run('handleMessage', { deliveryId: p.value.deliveryId, source: 'command' }, () =>
      useCases.handleMessage(p.value),
    );
  });

  app.view(DENY_MODAL_CALLBACK, async ({ ack, body }) => {
    const p = parseDenySubmission(body);
    if (!p.ok) {
      await ack();
      return unusable('view_submission', p);
    }
    if (!p.value.reason)
      return ack({
        response_action: 'errors',
        errors: { [REASON_INPUT.block]: 'Give a reason for the requester.' },
      });
    await ack();
    const { requestId, clicker, reason } = p.value;
    void work.run('denyRequest', { requestId, userId: clicker.userId }, () =>
      useCases.denyRequest(requestId, clicker, reason),
    );
  });

  // Slack shows an error on any button whose click is not acknowledged within 3 seconds: every
  // other action id (a stale card from an older version, a link button) is acked and logged.
  app.action({ type: 'block_actions' }, async ({ ack, body }) => {
    const id = (body as { actions?: { action_id?: string }[] }).actions?.[0]?.action_id ?? '';
    if (HANDLED_ACTIONS.some((re) => re.test(id))) return;
    await ack();
    log.info({ actionId: id }, 'action without a listener acknowledged');
  });

  /** The form did not open in time: say so where the person clicked or typed (response_url). */
  async function formFailed(
    err: Error,
    what: 'request' | 'deny',
    respond:
      | ((m: { response_type: 'ephemeral'; text: string; blocks: unknown[] }) => Promise<unknown>)
      | undefined,
  ): Promise<void> {
    log.warn({ err, what }, 'could not open the form in time; answered in a message instead');
    if (!respond) return;
    await respond({ response_type: 'ephemeral', ...renderCard(formNotOpened(what)) }).catch((e: unknown) =>
      log.warn({ err: toSlackError(e, 'response_url') }, 'could not say the form did not open'),
    );
  }
}
