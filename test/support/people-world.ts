import { afterEach } from 'vitest';
import { handleClick } from '../../src/app/handle-click.ts';
import { handleMessage } from '../../src/app/handle-message.ts';
import { ACTIONS } from '../../src/app/inbound.ts';
import { PeopleChat } from '../app/people-chat.ts';
import { type Proc, type StoreKind, startWorld, type World } from '../app/world.ts';
import type { TestMongo } from './mongo-server.ts';

/**
 * The set-up the use-case tests that talk to people share: a world (test/app/world.ts) with one
 * booted process whose chat is a PeopleChat, closed after each test of the enclosing describe
 * block. `w` is the world of the running test.
 */
export function usePeopleWorld(
  kind: StoreKind = 'sqlite',
  mongo: () => TestMongo = sqliteOnly,
): { boot(): Promise<{ w: World; p: Proc; chat: PeopleChat }>; readonly w: World } {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });
  return {
    async boot() {
      const w = await startWorld(kind, mongo);
      world = w;
      const p = await w.boot();
      const chat = new PeopleChat();
      p.deps.chat = chat;
      return { w, p, chat };
    },
    get w() {
      if (!world) throw new Error('boot() the world first');
      return world;
    },
  };
}

function sqliteOnly(): TestMongo {
  throw new Error('this world runs on SQLite only');
}

/**
 * Messages from Slack (acme's team) as the adapter hands them to handleMessage: each with a fresh
 * delivery id (`tag-N`) and ts (`tsSeconds.00000N`).
 */
export function messenger(tag: string, tsSeconds: string) {
  let n = 0;
  return (p: Proc, m: { channelId: string; userId: string; isDm: boolean; text: string }) =>
    handleMessage(p.deps, {
      deliveryId: `${tag}-${++n}`,
      source: m.isDm ? 'dm' : 'mention',
      isDm: m.isDm,
      teamId: 'T0ACME',
      channelId: m.channelId,
      userId: m.userId,
      text: m.text,
      ts: `${tsSeconds}.${String(n).padStart(6, '0')}`,
    });
}

/**
 * A click on a "which one?" choice in a DM: the button's value names the requester, the chosen
 * target and where the request came from, as the choice card builds it (grant `role`).
 */
export function chooseInDm(
  p: Proc,
  o: { requester: string; targetScimId: string; channelId: string; ts: string; role: string },
) {
  const value = JSON.stringify({
    requester: o.requester,
    targetScimId: o.targetScimId,
    origin: { channelId: o.channelId, isDm: true, ts: o.ts },
    action: 'grant',
    role: o.role,
  });
  return handleClick(p.deps, {
    actionId: ACTIONS.choose,
    value,
    clicker: { userId: o.requester, teamId: 'T0ACME' },
    channelId: o.channelId,
    isDm: true,
  });
}
