import { webApi } from '@slack/bolt';
import { loadConfig } from '../../config.ts';
import { RolecallError } from '../../core/errors.ts';
import { systemClock } from '../../ports/clock.ts';
import { createTokenCipher } from '../crypto/token-cipher.ts';
import { createLogger } from '../log/logger.ts';
import { openInstallations } from '../store/installations.ts';
import { openStores } from '../store/open.ts';
import { webClientOptions } from './chat.ts';
import { refOf } from './oauth.ts';
import { Tenancy } from './tenancy.ts';

/**
 * `rolecall doctor`'s Slack line in OAuth mode: every installation with its state and tenant, and
 * for each active one `auth.test` with its own token (opened with ROLECALL_ENCRYPTION_KEY). Fails
 * when a token does not open or Slack rejects it (an uninstall Rolecall never heard about), and in
 * Socket Mode when the app-level token is rejected. Token values never appear.
 */
export async function checkInstalls(env: NodeJS.ProcessEnv, timeoutMs = 10_000): Promise<string> {
  const config = loadConfig(env);
  const cipher = createTokenCipher(config.env.ROLECALL_ENCRYPTION_KEY);
  const options = webClientOptions({
    ...(config.env.SLACK_API_URL ? { apiUrl: config.env.SLACK_API_URL } : {}),
    retry: { retries: 0 },
    timeoutMs,
    logger: createLogger({ level: 'silent' }),
  });
  const stores = await openStores({
    env: config.env,
    logger: createLogger({ level: 'silent' }),
    clock: systemClock,
  });
  const parts: string[] = [];
  const bad: string[] = [];
  try {
    const installations = await openInstallations(stores, systemClock);
    const tenancy = new Tenancy(config.policy, installations);
    for (const r of await installations.list()) {
      const tenants = await tenancy.tenantsOf(refOf(r));
      const who = `${r.id} ${r.status}${r.status === 'active' ? ` (${tenants.join(', ') || 'UNBOUND'})` : ''}`;
      if (r.status !== 'active' || !r.sealed) {
        parts.push(who);
        continue;
      }
      try {
        const token = (JSON.parse(cipher.open(r.sealed, r.id)) as { t: string }).t;
        await new webApi.WebClient(token, options).apiCall('auth.test');
        parts.push(`${who} auth.test ok`);
      } catch (err) {
        const why =
          err instanceof webApi.WebAPIPlatformError ? String(err.data.error) : (err as Error).message;
        bad.push(`${who}: ${why}`);
      }
    }
  } finally {
    await stores.close();
  }
  const app = config.env.SLACK_APP_TOKEN;
  if (app)
    try {
      await new webApi.WebClient(app, options).apiCall('apps.connections.open');
    } catch (err) {
      const why = err instanceof webApi.WebAPIPlatformError ? String(err.data.error) : (err as Error).message;
      bad.push(`SLACK_APP_TOKEN: apps.connections.open ${why}`);
    }
  const summary = `OAuth: ${parts.length + bad.length} installation(s)${parts.length ? `: ${parts.join('; ')}` : ''}`;
  if (bad.length)
    throw new RolecallError('SLACK.API', `${summary}; FAILING: ${bad.join('; ')}`, {
      details: { failing: bad.length },
    });
  return `${summary}; ${app ? 'Socket Mode' : 'HTTP mode'}, install at /slack/install`;
}
