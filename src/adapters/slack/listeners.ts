import type { App } from '@slack/bolt';
import { ACTIONS, DENY_MODAL_CALLBACK, type UseCases } from '../../app/inbound.ts';
import type { Logger } from '../log/logger.ts';
import { renderCard } from './blocks.ts';
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
import { registerRequestForm } from './request-form.ts';
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
}

/**
 * Listeners only acknowledge, parse into inbound shapes, call one use case and render its answer.
 * Acks come first everywhere (Bolt acks events itself before listeners run), and the use case runs
 * as tracked background work, so a slow use case never holds Slack's 3-second window.
 */
export function registerListeners(app: App, { useCases, log, work }: ListenerDeps): void {
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

  app.command(COMMAND, async ({ ack, body, client }) => {
    await ack();
    const p = parseCommand(body);
    if (!p.ok) return unusable('command', p);
    const { message, triggerId } = p.value;
    if (message.text) {
      void work.run('handleMessage', { deliveryId: message.deliveryId, source: 'command' }, () =>
        useCases.handleMessage(message),
      );
      return;
    }
    if (!triggerId)
      return unusable('command', { ok: false, reason: 'empty command without trigger_id', malformed: true });
    void work.run('views.open', { view: REQUEST_MODAL_CALLBACK }, () =>
      client.views
        .open({ trigger_id: triggerId, view: requestModal(message.channelId) })
        .catch((err: unknown) => {
          throw toSlackError(err, 'views.open');
        }),
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

  app.action(DENY_ACTION, async ({ ack, body, client }) => {
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
      client.views.open({ trigger_id: triggerId, view: denyModal(click.value) }).catch((err: unknown) => {
        throw toSlackError(err, 'views.open');
      }),
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
}
