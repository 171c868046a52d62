import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  EVENT_SCOPES,
  LISTENED_EVENTS,
  METHOD_SCOPES,
  requiredBotScopes,
  SLASH_COMMANDS,
  SUBSCRIBED_EVENTS,
  WEB_API_METHODS,
} from '../../src/adapters/slack/manifest.ts';

const root = join(import.meta.dirname, '..', '..');
const manifest = parse(readFileSync(join(root, 'manifest.yml'), 'utf8')) as {
  display_information: { name: string };
  features: {
    app_home: {
      home_tab_enabled: boolean;
      messages_tab_enabled: boolean;
      messages_tab_read_only_enabled: boolean;
    };
    bot_user: { display_name: string };
    slash_commands: { command: string; should_escape: boolean }[];
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[] };
    interactivity: { is_enabled: boolean };
    socket_mode_enabled: boolean;
  };
};

const slackDir = join(root, 'src', 'adapters', 'slack');
const source = readdirSync(slackDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(join(slackDir, f), 'utf8'))
  .join('\n');

describe('manifest.yml', () => {
  it('grants exactly the bot scopes the code needs', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(requiredBotScopes());
    expect(manifest.oauth_config.scopes.user ?? []).toEqual([]);
  });

  it('subscribes to exactly the events the listeners handle', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(
      [...SUBSCRIBED_EVENTS].sort(),
    );
    for (const e of SUBSCRIBED_EVENTS) expect(Object.keys(EVENT_SCOPES)).toContain(e);
  });

  it('declares /rolecall with escaped mentions, interactivity, App Home and Socket Mode', () => {
    expect(manifest.display_information.name).toBe('Rolecall');
    expect(manifest.features.bot_user.display_name).toBe('Rolecall');
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([...SLASH_COMMANDS]);
    expect(manifest.features.slash_commands.every((c) => c.should_escape)).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.features.app_home).toEqual({
      home_tab_enabled: true,
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
  });
});

describe('the method and event tables match the code', () => {
  it('every Web API method the adapter calls is in METHOD_SCOPES, and every entry is called', () => {
    // `\s*`: a formatter may break `client.views\n  .open(` across lines.
    const called = new Set(
      [
        ...source.matchAll(
          /\.(chat|users|conversations|views|auth|apps|team|reactions|files)\s*\.(\w+)(?:\.(\w+))?\(/g,
        ),
      ].map((m) => [m[1], m[2], m[3]].filter(Boolean).join('.')),
    );
    // auth.test is called by Bolt itself in App#init(), which start() awaits.
    expect([...called, 'auth.test'].sort()).toEqual([...WEB_API_METHODS].sort());
    expect(Object.keys(METHOD_SCOPES).sort()).toEqual([...WEB_API_METHODS].sort());
  });

  it('every event listener maps to a subscribed event, and every subscription has a listener', () => {
    // An event may have more than one listener (uninstall: readiness and the OAuth installation).
    const listened = [...new Set([...source.matchAll(/app\.event\('([\w.]+)'/g)].map((m) => m[1]!))];
    expect(listened.sort()).toEqual(Object.keys(LISTENED_EVENTS).sort());
    expect(Object.values(LISTENED_EVENTS).sort()).toEqual([...SUBSCRIBED_EVENTS].sort());
  });
});
