import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { createSlackApp } from '../../src/adapters/slack/app.ts';
import { type SlackEnv, slackSettings } from '../../src/adapters/slack/settings.ts';
import { parseEnv } from '../../src/config.ts';
import { isRolecallError } from '../../src/core/errors.ts';
import { type SlackEmulator, startSlackEmulator } from '../support/slack-emulator.ts';
import { SIGNING_SECRET, slackEnv, startApp } from './harness.ts';
import { recordingUseCases } from './recording-use-cases.ts';

function configError(env: Partial<SlackEnv>): Error & { details: Readonly<Record<string, unknown>> } {
  try {
    slackSettings(slackEnv(env));
  } catch (err) {
    if (isRolecallError(err, 'CONFIG.INVALID')) return err;
    throw err;
  }
  throw new Error('expected a CONFIG.INVALID error');
}

const BOT = 'xoxb-1111-2222-secretbotvalue';
const APP = 'xapp-1-A1-3333-secretappvalue';

describe('Slack settings', () => {
  it.each([
    ['no bot token', { SLACK_SIGNING_SECRET: SIGNING_SECRET }, 'SLACK_BOT_TOKEN', /not set.*`npm run demo`/],
    [
      'an xapp token as bot token',
      { SLACK_BOT_TOKEN: APP, SLACK_APP_TOKEN: APP },
      'SLACK_BOT_TOKEN',
      /belongs in SLACK_APP_TOKEN/,
    ],
    [
      'a user token as bot token',
      { SLACK_BOT_TOKEN: 'xoxp-1-user', SLACK_SIGNING_SECRET: 'x' },
      'SLACK_BOT_TOKEN',
      /user token/,
    ],
    [
      'neither app token nor signing secret',
      { SLACK_BOT_TOKEN: BOT },
      'SLACK_APP_TOKEN',
      /SLACK_SIGNING_SECRET.*`npm run demo`/,
    ],
    ['a bot token as app token', { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: BOT }, 'SLACK_APP_TOKEN', /xapp-/],
    [
      'a token as signing secret',
      { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: BOT },
      'SLACK_SIGNING_SECRET',
      /Signing Secret/,
    ],
  ])('%s gives one message naming the variable', (_name, env, key, hint) => {
    const err = configError(env);
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.message.startsWith(`${key}: `)).toBe(true);
    expect(err.message).toMatch(hint);
    expect(err.details.key).toBe(key);
    expect(err.message).not.toContain('secretbotvalue');
    expect(err.message).not.toContain('secretappvalue');
  });

  it('picks Socket Mode when the app token is set, HTTP with only the signing secret', () => {
    expect(
      slackSettings(slackEnv({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: 's' })).mode,
    ).toBe('socket');
    expect(slackSettings(slackEnv({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: 's' })).mode).toBe('http');
  });

  it('createSlackApp stops before anything starts, and the env schema names a swapped token too', () => {
    const logger = createLogger({ level: 'silent' });
    expect(() =>
      createSlackApp({ env: slackEnv({ SLACK_BOT_TOKEN: BOT }), useCases: recordingUseCases(), logger }),
    ).toThrow(/^SLACK_APP_TOKEN: /);
    expect(() => parseEnv({ SLACK_BOT_TOKEN: APP })).toThrow(/SLACK_BOT_TOKEN/);
  });

  it('refuses an extra route on the events path or twice the same route', () => {
    const logger = createLogger({ level: 'silent' });
    const env = slackEnv({ SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: 's' });
    const route = { method: 'GET', path: '/readyz', handler: () => {} };
    expect(() =>
      createSlackApp({
        env,
        useCases: recordingUseCases(),
        logger,
        routes: [{ ...route, path: '/slack/events' }],
      }),
    ).toThrow(/\/slack\/events/);
    expect(() =>
      createSlackApp({ env, useCases: recordingUseCases(), logger, routes: [route, route] }),
    ).toThrow(/defined twice/);
  });
});

describe('tokens Slack rejects', () => {
  let emu: SlackEmulator;
  beforeAll(async () => {
    emu = await startSlackEmulator();
  });
  afterAll(async () => emu?.close());

  it('names SLACK_BOT_TOKEN when auth.test says invalid_auth', async () => {
    const err = await startApp({
      SLACK_BOT_TOKEN: 'xoxb-revoked-secretbotvalue',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: emu.apiUrl,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRolecallError(err, 'CONFIG.INVALID')).toBe(true);
    expect((err as Error).message).toBe('SLACK_BOT_TOKEN: rejected by Slack (invalid_auth)');
  });
});
