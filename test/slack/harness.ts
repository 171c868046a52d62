import type { SlackAppOptions } from '../../src/adapters/slack/app.ts';
import type { SlackEnv } from '../../src/adapters/slack/settings.ts';
import { type StartedSlackApp, startSlackTestApp } from '../support/slack-harness.ts';
import { type RecordingUseCases, recordingUseCases } from './recording-use-cases.ts';

export { captureLogger, FAST_RETRY, SIGNING_SECRET, slackEnv } from '../support/slack-harness.ts';

export interface Started extends StartedSlackApp {
  useCases: RecordingUseCases;
}

/** The real Slack app in front of a recording fake of the inbound interface. */
export async function startApp(
  env: Partial<SlackEnv>,
  extra: Partial<Omit<SlackAppOptions, 'env' | 'useCases' | 'logger'>> = {},
): Promise<Started> {
  const useCases = recordingUseCases();
  return { ...(await startSlackTestApp(useCases, env, extra)), useCases };
}
