import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { llmForEval } from '../../eval/llm-harness.ts';
import { startFakeAnthropic, toolUse } from '../support/fake-anthropic.ts';

const dir = mkdtempSync(join(tmpdir(), 'rolecall-recordings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const roles = ['viewer', 'editor', 'admin', 'owner'];
const now = new Date('2025-03-12T15:00:00Z');
const ask = (text: string) => ({ text, roles, now, timeZone: 'UTC' });

describe('eval recordings', () => {
  it('records raw answers once and replays them offline through the fake API', async () => {
    // Stands in for the real API while recording.
    const upstream = await startFakeAnthropic({
      script: (req) =>
        String(req.body.messages[0].content).includes('who is')
          ? toolUse({ name: 'lookup_user', input: { target: { kind: 'slack_user', value: 'U123ABC' } } })
          : toolUse({
              name: 'request_role_change',
              input: {
                action: 'grant',
                targets: [{ kind: 'me', value: '' }],
                role: 'editor',
                duration_phrase: 'for 2h',
                justification: '',
              },
            }),
    });
    const env = {
      ANTHROPIC_API_KEY: 'sk-ant-rec',
      ANTHROPIC_BASE_URL: upstream.baseUrl,
      ROLECALL_MODEL: 'claude-rec',
    };
    const rec = await llmForEval({ record: true, replay: false, recordingsDir: dir, env });
    const live = [
      await rec.extractor.extract(ask('make me an editor for 2h')),
      await rec.extractor.extract(ask('who is <@U123ABC>?')),
    ];
    await rec.close();
    await upstream.close();
    expect(live.map((r) => r.source)).toEqual(['llm', 'llm']);
    const lines = readFileSync(join(dir, 'claude-rec.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain('sk-ant-rec');

    const replay = await llmForEval({
      record: false,
      replay: true,
      recordingsDir: dir,
      env: { ROLECALL_MODEL: 'claude-rec' },
    });
    try {
      expect(await replay.extractor.extract(ask('make me an editor for 2h'))).toEqual(live[0]);
      expect(await replay.extractor.extract(ask('who is <@U123ABC>?'))).toEqual(live[1]);
      // Not recorded: the fake has no answer, and the offline parser steps in.
      const miss = await replay.extractor.extract(ask('make me a viewer'));
      expect(miss.source).toBe('offline');
      expect(miss.intents).toEqual([
        { kind: 'request_role_change', action: 'grant', targets: [{ kind: 'me' }], role: 'viewer' },
      ]);
    } finally {
      await replay.close();
    }
  });

  it('says how to record when there is nothing to replay', async () => {
    await expect(
      llmForEval({
        record: false,
        replay: true,
        recordingsDir: dir,
        env: { ROLECALL_MODEL: 'never-recorded' },
      }),
    ).rejects.toThrow(/run once with --record and ANTHROPIC_API_KEY/);
    await expect(llmForEval({ record: false, replay: false, recordingsDir: dir, env: {} })).rejects.toThrow(
      /ANTHROPIC_API_KEY is not set/,
    );
  });
});
