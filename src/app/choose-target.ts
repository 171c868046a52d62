import type { Card } from '../ports/chat.ts';
import { decodeChoice } from './choice.ts';
import { type AppDeps, tenantById } from './deps.ts';
import { identify } from './identify.ts';
import type { ButtonClick } from './inbound.ts';
import { alreadyDecided, chosenCard, notYourRequest, refusalCard } from './messages.ts';
import { proposeChange } from './propose-change.ts';
import type { Reply } from './reply.ts';
import { withSlackUser } from './resolve-target.ts';

/**
 * "Which Dana?": the requester picked one of the people a name matched; the request goes on with
 * them. Returns what the choice card becomes.
 */
export async function chooseTarget(
  deps: AppDeps,
  click: ButtonClick,
  reply: Reply,
): Promise<Card | undefined> {
  const choice = decodeChoice(click.value);
  if (!choice) return void (await reply(alreadyDecided('no longer valid')));
  if (choice.requester !== click.clicker.userId) return void (await reply(notYourRequest()));
  const isDm = choice.origin.isDm === true;
  const who = await identify(deps, click.clicker.userId, isDm ? undefined : choice.origin.channelId);
  if (!who.ok) return void (await reply(refusalCard(who.refusal)));
  const tenant = tenantById(deps.policy, who.person.tenant.id)!;
  const user = await deps.directories.forTenant(tenant.id).getUser(choice.targetScimId);
  if (!user) return void (await reply(alreadyDecided('no longer valid')));
  const showDetails = isDm || !tenant.slack.sharedChannels.includes(choice.origin.channelId);
  await proposeChange(
    deps,
    { person: who.person, tenant, origin: choice.origin, reply, showDetails },
    { user, identity: await withSlackUser(deps, tenant, user) },
    choice,
  );
  return chosenCard(user.displayName ?? user.userName);
}
