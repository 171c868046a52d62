import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { oauthSettings } from '../../src/adapters/slack/oauth-settings.ts';
import { type SlackEnv, slackSettings } from '../../src/adapters/slack/settings.ts';
import { startRolecall, wantsPlayground } from '../../src/main.ts';

const base: SlackEnv = {
  SLACK_BOT_TOKEN: undefined,
  SLACK_APP_TOKEN: undefined,
  SLACK_SIGNING_SECRET: 'signing',
  SLACK_API_URL: undefined,
  PORT: 0,
  HOST: '127.0.0.1',
};
const oauth = {
  SLACK_CLIENT_ID: '1.2',
  SLACK_CLIENT_SECRET: 'client-secret',
  SLACK_STATE_SECRET: randomBytes(24).toString('base64'),
};
const message = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('OAuth distribution settings', () => {
  it('is off without the three variables: single-token mode still needs SLACK_BOT_TOKEN', () => {
    expect(oauthSettings({})).toBeUndefined();
    expect(message(() => slackSettings(base))).toMatch(/^SLACK_BOT_TOKEN: not set/);
    expect(slackSettings({ ...base, SLACK_BOT_TOKEN: 'xoxb-1' }).botToken).toBe('xoxb-1');
  });

  it('is on with all three, needs no bot token, and refuses one', () => {
    expect(slackSettings({ ...base, ...oauth }).botToken).toBeUndefined();
    expect(message(() => slackSettings({ ...base, ...oauth, SLACK_BOT_TOKEN: 'xoxb-1' }))).toMatch(
      /^SLACK_BOT_TOKEN: unset it/,
    );
  });

  it('names what is missing when only some are set, and wants a long state secret', () => {
    expect(message(() => oauthSettings({ SLACK_CLIENT_ID: '1.2' }))).toMatch(/^SLACK_CLIENT_SECRET: not set/);
    expect(message(() => oauthSettings({ ...oauth, SLACK_STATE_SECRET: 'short' }))).toMatch(
      /^SLACK_STATE_SECRET: use at least 32/,
    );
  });

  it('puts the authorize page next to SLACK_API_URL (an emulator), else Slack’s own', () => {
    expect(oauthSettings(oauth)?.authorizationUrl).toBeUndefined();
    expect(oauthSettings({ ...oauth, SLACK_API_URL: 'http://127.0.0.1:9/api/' })?.authorizationUrl).toBe(
      'http://127.0.0.1:9/oauth/v2/authorize',
    );
  });

  it('an OAuth deployment that lost its other Slack settings fails loudly instead of opening the playground', () => {
    expect(wantsPlayground({ ROLECALL_CONFIG: '/nonexistent/rolecall.yml', SLACK_CLIENT_ID: '1.2' })).toBe(
      false,
    );
  });

  it('does not start without ROLECALL_ENCRYPTION_KEY, before opening the store', async () => {
    await expect(
      startRolecall({
        env: {
          ...oauth,
          SLACK_SIGNING_SECRET: 's',
          ROLECALL_CONFIG: '/nonexistent/rolecall.yml',
        },
        config: {
          file: 'x',
          policy: { tenants: [], operators: { teams: [], users: [] } } as never,
          env: {
            ...oauth,
            SLACK_SIGNING_SECRET: 's',
            PORT: 0,
            HOST: '127.0.0.1',
            ROLECALL_DATA_DIR: '/nonexistent/dir',
            LOG_LEVEL: 'silent',
          } as never,
        },
      }),
    ).rejects.toThrow(/ROLECALL_ENCRYPTION_KEY: not set/);
  });
});
