import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config.ts';

/** The README's claims about the playground, the example policy and Docker stay true. */
const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const section = (title: string) => {
  const at = readme.indexOf(`${title}\n`);
  expect(at, title).toBeGreaterThan(-1);
  const next = readme.slice(at + title.length).search(/\n#{2,3} /);
  return readme.slice(at, next < 0 ? undefined : at + title.length + next);
};

describe('README', () => {
  it('shows rolecall.example.yml in full, as a file that parses', () => {
    const example = readFileSync(resolve(root, 'rolecall.example.yml'), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(section('## The policy file, line by line'))?.[1];
    expect(block).toBe(example);
    expect(parsePolicy(example, 'rolecall.example.yml').tenants[0]?.id).toBe('acme');
  });

  it('keeps the two commands, and the playground follows Quick start with its screenshot', () => {
    expect(readme).toContain('```sh\nnpm install && npm start\n```');
    expect(readme).toContain('```sh\nnpm ci && npm test\n```');
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings.indexOf('Playground')).toBe(headings.indexOf('Quick start') + 1);
    const playground = section('## Playground');
    expect(playground).toContain('npm run demo');
    expect(playground).toContain('http://127.0.0.1:3000');
    expect(playground).toContain('](docs/playground.png)');
    expect(existsSync(resolve(root, 'docs/playground.png'))).toBe(true);
    expect(section('### Docker')).toContain('docker build -t rolecall .');
  });
});
