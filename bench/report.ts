import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS } from './lib/stats.ts';

/** Regenerates BENCHMARKS.md from bench/results/*.json (the text between the markers only). */
// biome-ignore lint/suspicious/noExplicitAny: result files are free-form JSON
type J = any;
const read = (name: string): J | undefined => {
  const f = join(RESULTS, `${name}.json`);
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : undefined;
};
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
const ms = (x: number) => `${x} ms`;

function header(r: J): string {
  const m = r.machine;
  return `_${r.date.slice(0, 16).replace('T', ' ')} UTC${r.quick ? ', quick run' : ''} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}_`;
}

export function tables(): string {
  const out: string[] = [];
  const ack = read('ack');
  if (ack) {
    out.push('### Ack latency (request in → HTTP 200)', '', header(ack), '');
    out.push(
      "| load | p50 (median of runs) | p99 (median of runs) | worst run p99 | samples | target p99 < 100 ms | p50 / p99 inside the bot | longest stall of the bot's event loop / of it in one node:sqlite call |",
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
    const row = (label: string, x: J) =>
      out.push(
        `| ${label} | ${ms(x.p50)} | ${ms(x.p99)} | ${ms(x.worstP99)} | ${x.samples} (${x.runs} runs) | ${met(x.p99 < 100)} | ${x.insideBot ? `${ms(x.insideBot.p50)} / ${ms(x.insideBot.p99)}` : ''} | ${x.botLoopStallMaxMs === undefined ? '' : ms(x.botLoopStallMaxMs)}${x.longestSqliteCallMs === undefined ? '' : ` / ${ms(x.longestSqliteCallMs)}`} |`,
      );
    for (const c of [1, 10, 50]) row(`${c} concurrent conversation${c > 1 ? 's' : ''}`, ack[`c${c}`]);
    for (const c of [1, 10, 50]) row(`${c} concurrent, LLM answering in 5 s`, ack.slowLlm[`c${c}`]);
    out.push('');
  }
  const o = read('overhead');
  if (o) {
    out.push("### Rolecall's own overhead per applied change", '', header(o), '');
    out.push('Changes one at a time; the offline parser unless the row says LLM.', '');
    out.push('| SCIM server | measure | p50 | p99 | target |', '| --- | --- | --- | --- | --- |');
    for (const [label, x] of [
      ['Better Auth', o.betterAuth],
      ['own, `groups` on users', o.ownScim],
      ['own + LLM path (fake API)', o.ownScimWithLlm],
    ] as const) {
      if (!x) continue;
      out.push(
        `| ${label} | end to end (mention → card, confirm → outcome), ${x.changes} changes, ${x.failed} failed | ${ms(x.e2eMs.p50)} | ${ms(x.e2eMs.p99)} | |`,
      );
      out.push(`| ${label} | time inside SCIM calls | ${ms(x.scimMs.p50)} | ${ms(x.scimMs.p99)} | |`);
      if (x.llmMs)
        out.push(`| ${label} | time inside LLM calls | ${ms(x.llmMs.p50)} | ${ms(x.llmMs.p99)} | |`);
      out.push(
        `| ${label} | **overhead** = end to end − SCIM − LLM | ${ms(x.overheadMs.p50)} | ${ms(x.overheadMs.p99)} | p50 < 5 ms ${met(x.overheadMs.p50 < 5)}, p99 < 25 ms ${met(x.overheadMs.p99 < 25)} |`,
      );
      out.push(
        `| ${label} | overhead also excluding Slack Web API calls | ${ms(x.overheadExcludingSlackApiMs.p50)} | ${ms(x.overheadExcludingSlackApiMs.p99)} | |`,
      );
      out.push(
        `| ${label} | SCIM calls per request, whole flow | ${x.scimCallsPerRequestFlow.p50} | max ${x.scimCallsPerRequestFlow.max} | |`,
      );
      out.push(
        `| ${label} | full-directory listings | ${x.fullListings} | | 0 ${met(x.fullListings === 0)} |`,
      );
      if (x.storeMsPerChange !== undefined)
        out.push(
          `| ${label} | store: event loop blocked in node:sqlite per change (mean) / SQLite commits per change | ${ms(x.storeMsPerChange)} | ${x.sqliteCommitsPerChange} commits | |`,
        );
    }
    out.push('');
  }
  const s = read('scale');
  if (s) {
    out.push('### SCIM calls per change and directory scale', '', header(s), '', s.note, '');
    out.push(
      '| server | users | cold getRoles / grant (calls) | warm getRoles / grant / revoke (calls) | grant bytes read | lookup client p50 | grant client p50 / p99 | grant wall p50 | full listings |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    const rows = (label: string, m: J) => {
      for (const [n, v] of Object.entries(m as Record<string, J>))
        out.push(
          `| ${label} | ${Number(n).toLocaleString('en')} | ${v.cold.getRoles} / ${v.cold.grant} | ${v.getRoles.calls} / ${v.grant.calls} / ${v.revoke.calls} | ${v.grant.bytesP50} B | ${ms(v.lookup.clientMsP50)} | ${ms(v.grant.clientMsP50)} / ${ms(v.grant.clientMsP99)} | ${ms(v.grant.wallMsP50)} | ${v.lookup.fullListings + v.getRoles.fullListings + v.grant.fullListings + v.revoke.fullListings} |`,
        );
    };
    rows('own, `groups` on users', s.ownServerGroupsOnUsers);
    rows('own, member filter only', s.ownServerMemberFilter);
    rows('Better Auth (member list)', s.betterAuth);
    const r = s.clientTimeRatio100kTo1k;
    out.push(
      '',
      `Client time at 100 000 users ÷ at 1 000 (flat ≈ 1): groups on users lookup ${r.groupsOnUsers.lookup}, grant ${r.groupsOnUsers.grant}; member filter lookup ${r.memberFilter.lookup}, grant ${r.memberFilter.grant}. Calls and bytes per operation do not change with size.`,
      '',
    );
  }
  const t = read('throughput');
  if (t) {
    out.push('### Throughput, audit completeness and memory', '', header(t), '');
    out.push(
      '| setup | changes/s | applied (driver saw) | `applied` audit records | lost | chain | peak RSS | target RSS < 200 MiB | SQLite commits per change | loop blocked in node:sqlite per change | changes/s the store alone allows |',
    );
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [k, v] of Object.entries(t as Record<string, J>))
      if (v && typeof v === 'object' && 'changesPerSecond' in v)
        out.push(
          `| ${k} | ${v.changesPerSecond} (${v.concurrency} conversations, ${v.seconds} s) | ${v.changesApplied} (${v.changesFailed} failed) | ${v.appliedAuditRecords} | ${v.lostAuditRecords} | ${v.auditChainOk ? 'verifies' : 'BROKEN'} | ${v.peakRssMiB} MiB | ${met(v.peakRssMiB < 200)} | ${v.sqliteCommitsPerChange ?? ''} | ${v.storeMsPerChange === undefined ? '' : ms(v.storeMsPerChange)} | ${v.storeBoundChangesPerSecond ?? ''} |`,
        );
    out.push(
      '',
      `\`applied\` audit records include the warm-up changes (2 per setup). Heap caps: \`NODE_OPTIONS="${t.heapCaps ?? ''}"\`.`,
      '',
    );
  }
  const rv = read('revocation');
  if (rv) {
    out.push('### Revocation lag (grant end → revoked)', '', header(rv), '');
    out.push(
      '| scheduler interval | grants | revoked | p50 | p99 | max |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const x of rv.runs)
      out.push(
        `| ${x.intervalMs / 1000} s | ${x.grants} | ${x.revoked} | ${ms(x.lagMs.p50)} | ${ms(x.lagMs.p99)} | ${ms(x.lagMs.max)} |`,
      );
    out.push('');
  }
  const g = read('guards');
  if (g) {
    out.push('### Guards + parser + grounding on 40 000-character adversarial messages', '', header(g), '');
    out.push(
      `${g.inputs} inputs (test/reliability/abuse-long-inputs.ts), CPU time, median of ${g.runs} runs per input; the worst input is shown.`,
      '',
      '| path | worst input | CPU | target < 50 ms |',
      '| --- | --- | --- | --- |',
      `| as deployed, 40 000 characters (refused at the entry cap) | ${g.worstDeployed.name} | ${ms(g.worstDeployed.deployedMs)} | ${met(g.worstDeployed.deployedMs < 50)} |`,
      `| as deployed, adversarial messages of exactly ${g.cap} characters (the cap) | ${g.worstAtCap.name} | ${ms(g.worstAtCap.atCapMs)} | ${met(g.worstAtCap.atCapMs < 50)} |`,
      `| every stage on all 40 000 characters (cap bypassed) | ${g.worstUncapped.name} | ${ms(g.worstUncapped.uncappedMs)} | ${met(g.worstUncapped.uncappedMs < 50)} |`,
      '',
    );
  }
  return out.join('\n');
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

export function writeReport(): void {
  const file = new URL('../BENCHMARKS.md', import.meta.url).pathname;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  const body = `${START}\n<!-- generated by \`npm run bench\` from bench/results/*.json; edits here are overwritten -->\n\n${tables()}\n${END}`;
  writeFileSync(
    file,
    a >= 0 && b > a ? text.slice(0, a) + body + text.slice(b + END.length) : `${text}\n${body}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) writeReport();
