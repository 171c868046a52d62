import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/logger.ts';
import { toSlackLogger } from '../../src/adapters/slack/bolt-logger.ts';

/** The SDK's logger bridge: lines below our level cost nothing; lines at it are scrubbed. */

function sink() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('toSlackLogger', () => {
  it('does not serialise or scrub what a disabled level would drop', () => {
    const { lines, destination } = sink();
    const slack = toSlackLogger(createLogger({ level: 'info', destination }));
    let serialised = 0;
    // The WebClient hands over whole request bodies at debug; the old bridge stringified them first.
    const body = {
      toJSON() {
        serialised++;
        return { text: 'hello' };
      },
    };
    slack.debug('http request body:', body);
    expect(serialised).toBe(0);
    expect(lines).toEqual([]);
  });

  it('still logs enabled levels with secrets scrubbed', () => {
    const { lines, destination } = sink();
    const slack = toSlackLogger(createLogger({ level: 'info', destination }));
    slack.warn('retrying with token', 'xoxb-123-456-abc');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('xox?-[REDACTED]');
    expect(lines[0]).not.toContain('xoxb-123');
  });
});
