import { slackSettings } from '../adapters/slack/settings.ts';
import { parseEnv } from '../config.ts';
import { startRolecall, wantsPlayground } from '../main.ts';

/**
 * `rolecall start`: runs until SIGINT/SIGTERM. On a fresh checkout with no Slack tokens, the local
 * playground. It lives here, not in main.ts, because the playground is built on main.ts's
 * startSurface: main.ts importing the playground back made an import cycle.
 */
export async function start(env: NodeJS.ProcessEnv): Promise<number> {
  if (wantsPlayground(env)) {
    const { runPlayground } = await import('../playground/index.ts');
    return runPlayground(env, { reason: 'no-slack-tokens' });
  }
  // Missing Slack secrets are the likelier mistake here than a missing policy file: name them first.
  slackSettings(parseEnv(env));
  const app = await startRolecall({ env });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  app.deps.log.info({}, 'stopping');
  await app.stop();
  return 0;
}
