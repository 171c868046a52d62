import { afterAll, describe, expect, it } from 'vitest';
import { installRef, requestIdOf } from '../../src/adapters/slack/tenancy.ts';
import { recordingUseCases } from '../slack/recording-use-cases.ts';
import { startSlackEmulator } from '../support/slack-emulator.ts';
import { startSlackTestApp } from '../support/slack-harness.ts';
import { blockActionPayload, viewSubmissionPayload } from '../support/slack-payloads.ts';

describe('tenancy guard helpers', () => {
  it('names the installation: the org for an org-wide install, else the workspace', () => {
    expect(installRef({ teamId: 'T1', enterpriseId: 'E1', isEnterpriseInstall: true })?.id).toBe('E1');
    expect(installRef({ teamId: 'T1', enterpriseId: 'E1', isEnterpriseInstall: false })?.id).toBe('T1');
    expect(installRef({ isEnterpriseInstall: true, teamId: 'T1' })).toBeUndefined();
  });

  it('finds the request a click or a deny submission acts on (not "choose", which has none yet)', () => {
    const click = (actionId: string) => blockActionPayload({ actionId, value: 'RC-1', userId: 'U1' });
    expect(requestIdOf(click('rc_approve'))).toBe('RC-1');
    expect(requestIdOf(click('rc_approve#2'))).toBe('RC-1');
    expect(requestIdOf(click('rc_deny'))).toBe('RC-1');
    expect(requestIdOf(click('rc_choose'))).toBeUndefined();
    const deny = viewSubmissionPayload({
      callbackId: 'rc_deny_reason',
      privateMetadata: 'RC-2',
      values: {},
      userId: 'U1',
    });
    expect(requestIdOf(deny)).toBe('RC-2');
    expect(requestIdOf({ type: 'event_callback' })).toBeUndefined();
  });
});

describe('single-token mode is unchanged', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });

  it('serves no install routes', async () => {
    const slack = await startSlackEmulator();
    closers.push(slack.close);
    const { app, baseUrl } = await startSlackTestApp(recordingUseCases(), {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: slack.apiUrl,
    });
    closers.push(() => app.stop());
    expect((await fetch(`${baseUrl}/slack/install`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/slack/oauth_redirect?code=x&state=y`)).status).toBe(404);
    expect(slack.callsTo('oauth.v2.access')).toEqual([]);
  });
});
