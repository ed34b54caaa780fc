import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLog } from '../../../actors/record/reader.ts';
import { writeAltered } from '../../helpers/logs.ts';
import { replay } from '../../../cli/replay.ts';
import { runKv } from '../record/kv-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-cli-replay-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'kv.log');

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [], err: string[] = [];
  const code = await replay(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

test.before(async () => {
  await runKv(file);
});

test('timeline: one line per entry; actor, type and seq filters; JSON', async () => {
  const all = await run(file);
  assert.is(all.code, 0);
  assert.is(all.out.length, readLog(file).entries.length);
  assert.match(all.out[2]!, /^00:00:00\.000\s+3  apiserver → kv  kv\.watch \[apiserver#1\]/);
  const txns = await run(file, '--timeline', '--type', 'kv.txn');
  assert.is(txns.out.length, 6);
  const worker = await run(file, '--actor', 'worker.*');
  assert.equal(worker.out.map((l) => /^\S+\s+\d+  (.+?)  /.exec(l)?.[1]), ['▶ worker.1', 'apiserver → worker.1', '■ worker.1']);
  const range = await run(file, '--from', '5', '--to', '7', '--json');
  assert.equal(range.out.map((l) => JSON.parse(l).i), [5, 6, 7]);
  const timers = await run(file, '--type', 'timer', '--actor', 'kv');
  assert.is(timers.out.length, 2);
});

test('--verify passes on an unaltered log and exits 1 with the seq of an altered payload', async () => {
  const ok = await run(file, '--verify');
  assert.is(ok.code, 0, ok.out.join('\n'));
  assert.match(ok.out.at(-1)!, /verified 1 actor\(s\), \d+ output\(s\) matched .* 1 skipped; 0 divergence\(s\)/);
  const log = readLog(file);
  const victim = log.entries.find((e) => e.kind === 'msg' && e.type === 'kv.events')!;
  const altered = join(dir, 'altered.log');
  // One watch event names another key than the store wrote.
  writeAltered(log, altered, victim, (e) => void ((e.payload as { events: { kv: { key: string } }[] }).events[0]!.kv.key = '/registry/forged'));
  const bad = await run(altered, '--verify');
  assert.is(bad.code, 1);
  assert.match(bad.out[0]!, new RegExp(`^divergence at seq ${victim.n}, actor kv: message #\\d+ \\(kv.events to apiserver\\) differs`));
  assert.match(bad.out.join('\n'), /at event\.kv\.key/);
  assert.match(bad.out.join('\n'), /- expected: "\/registry\/forged"/);
});

test('--at prints state value and context', async () => {
  const r = await run(file, '--at', '10', '--actor', 'kv', '--json');
  const view = JSON.parse(r.out[0]!);
  assert.is(view.address, 'kv');
  assert.is(view.value, 'serving');
  assert.is(view.context.counts['kv.txn'], 2);
});

test('usage errors exit 2', async () => {
  assert.is((await run()).code, 2);
  assert.is((await run(file, '--speed', 'fast', '--inspect')).code, 2);
});

test.run();
