/**
 * The web UI's replay source on the golden log: positioned at a seq it shows what
 * `kubeactor replay LOG --at SEQ --actor X` prints, the store's objects aggregated as the
 * live cluster view, the messages up to there; it steps, seeks by seq and by time, plays;
 * after a verify of an edited log, the divergence is the one `--verify` prints.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replay } from '../../../cli/replay.ts';
import { readLog } from '../../../actors/record/reader.ts';
import { openReplaySource } from '../../../actors/ui/replay-source.ts';
import type { ActorUpdate, ReplayPosition } from '../../../actors/ui/source.ts';
import { GOLDEN_LOG } from '../../fixtures/golden/scenario.ts';
import { writeAltered } from '../../helpers/logs.ts';
import { chartOf } from '../../../ui/chart/model.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-ui-replay-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** What `kubeactor replay LOG --at SEQ --actor X --json` prints for X. */
async function cliAt(file: string, seq: number, actor: string): Promise<unknown> {
  const out: string[] = [];
  const code = await replay([file, '--at', String(seq), '--actor', actor, '--json'], { out: (l) => out.push(l), err: () => {} });
  assert.is(code, 0);
  assert.is(out.length, 1, out.join('\n'));
  return JSON.parse(out[0]!);
}

const { source } = openReplaySource([GOLDEN_LOG]);
const log = readLog(GOLDEN_LOG);

test('the range is the log; it opens at its end; seeking by seq and by time', async () => {
  const last = log.entries.at(-1)!;
  assert.equal(source.range(), { first: 1, last: last.n, firstAt: log.entries[0]!.at, lastAt: last.at });
  assert.is(source.position().seq, last.n);
  assert.is((await source.seek({ seq: 1200 })).seq, 1200);
  const at = log.entries.find((e) => e.n === 1200)!.at;
  // By time: the last entry at or before it.
  const p = await source.seek({ at });
  assert.is(p.at, at);
  assert.ok(log.entries.filter((e) => e.at === at).at(-1)!.n === p.seq);
  assert.is((await source.seek({ seq: 99_999 })).seq, last.n, 'clamped to the end');
});

test('an actor at a seq: the same state value, status and context as `replay --at SEQ --actor X` prints', async () => {
  for (const [seq, actor] of [[2000, 'controller.replicaset'], [1500, 'scheduler'], [2600, 'kubelet.node-1']] as const) {
    await source.seek({ seq });
    const state = await source.load(actor);
    assert.ok(state, actor);
    const cli = await cliAt(GOLDEN_LOG, seq, actor);
    assert.equal({ address: state.address, status: state.status, value: state.value, context: state.context }, cli, `${actor} at ${seq}`);
    assert.is(state.seq, seq);
    // If that replay (the actor and its companions only) parted from the recording, the source says where.
    const d = source.stateDivergence(actor);
    assert.ok(d === undefined || (d.actor === actor && d.seq <= seq), JSON.stringify(d));
    // What the chart highlights: the root and the active states of that value.
    assert.ok(state.active.length >= 2 && state.active[0] === chartOf(source.definition(actor)!).id, `${actor}: ${state.active}`);
  }
  // A pod, observed at event level, and its chart's definition as the chart renderer reads it.
  const pod = source.list({ select: 'pod.*' }).rows[0]!;
  assert.is(pod.machine, 'pod');
  const state = await source.load(pod.address);
  assert.equal({ address: state!.address, status: state!.status, value: state!.value, context: state!.context }, await cliAt(GOLDEN_LOG, 2600, pod.address));
  assert.ok(state!.active.includes('pod.life'));
  assert.is(source.definition('no.such.actor'), undefined);
});

test('stepping ±1 moves one entry; a watched actor is recomputed before the position is announced', async () => {
  await source.seek({ seq: 2000 });
  const updates: ActorUpdate[] = [];
  const off = source.watch('controller.replicaset', (u) => updates.push(u))!;
  await source.load('controller.replicaset');
  const before = source.state('controller.replicaset')!;
  const announced: { p: ReplayPosition; state: unknown }[] = [];
  const offPos = source.onPosition((p) => announced.push({ p, state: source.state('controller.replicaset') }));
  assert.is((await source.step(1)).seq, 2001);
  assert.is(announced.length, 1);
  assert.is((announced[0]!.state as { seq: number }).seq, 2001, 'the state shown with the position is at that position');
  assert.is((await source.step(-1)).seq, 2000);
  assert.is(source.state('controller.replicaset'), before, 'back one: the same state again (kept, not recomputed)');
  offPos();
  off();
  // Actors at a point: started ones only; node-3's kubelet stopped by the end.
  await source.seek({ seq: 1 });
  assert.equal(source.list().rows.map((a) => a.address), ['kv']);
  assert.is(source.state('scheduler'), undefined);
  await source.seek({ seq: log.entries.at(-1)!.n });
  assert.is(source.list({ select: 'kubelet.node-3' }).rows[0]!.state, 'stopped');
});

test('the cluster at a seq is the store up to it, aggregated as the live view', async () => {
  await source.seek({ seq: 5 });
  assert.is(source.cluster.summary().nodes.total, 0);
  const end = log.entries.at(-1)!.n;
  await source.seek({ seq: end });
  const nodes = source.cluster.window('nodes', { offset: 0, limit: 10 });
  assert.equal(nodes.rows.map((n) => n.name), ['node-1', 'node-2', 'node-3']);
  const pods = [...source.objects().keys()].filter((k) => k.startsWith('/registry/pods/'));
  assert.is(source.cluster.summary().pods.total, pods.length);
  assert.ok(source.cluster.window('workloads', { offset: 0, limit: 10 }).rows.some((w) => w.kind === 'Deployment' && w.name === 'web'));
  // The first pod's creation: absent one entry before, present at it (the view follows the kv's watch events).
  const created = log.entries.find((e) => e.kind === 'msg' && e.type === 'kv.events' && JSON.stringify(e.payload).includes('"/registry/pods/'))!;
  await source.seek({ seq: created.n - 1 });
  const podsBefore = source.cluster.summary().pods.total;
  await source.seek({ seq: created.n });
  assert.is(source.cluster.summary().pods.total, podsBefore + 1);
});

test('messages and events up to the position; payloads on demand', async () => {
  await source.seek({ seq: 1500 });
  const rows = source.messages.query({ limit: 10 });
  assert.is(rows.length, 10);
  assert.ok(rows.every((r) => r.seq <= 1500));
  const last = log.entries.filter((e) => e.kind === 'msg' && e.n <= 1500).at(-1)!;
  assert.is(rows.at(-1)!.seq, last.n);
  assert.equal(source.messages.payload(last.n), JSON.parse(JSON.stringify((last as { payload: unknown }).payload)));
  const creates = source.messages.query({ actors: 'controller.replicaset', types: 'api.create', limit: 100 });
  assert.ok(creates.length > 0 && creates.every((m) => m.from === 'controller.replicaset' && m.type === 'api.create'));
  // Back in time: the store is rebuilt, nothing after the position remains.
  await source.seek({ seq: 300 });
  assert.ok(source.messages.query({ limit: 100_000 }).every((r) => r.seq <= 300));
  const events = source.events('apiserver', 5);
  assert.ok(events.length > 0 && events.length <= 5 && events.every((e) => e.seq! <= 300));
  assert.ok(source.around(5, 5).every((e) => e.kind === 'msg' && Math.abs(e.i - 300) <= 5));
});

test('play moves forward entry by entry to the end, announcing each position; pause stops it', async () => {
  const end = log.entries.at(-1)!.n;
  await source.seek({ seq: end - 3 });
  const seen: number[] = [];
  const off = source.onPosition((p) => seen.push(p.seq));
  await new Promise<void>((resolve) => {
    source.onPosition((p) => p.seq === end && p.playing === undefined && resolve());
    source.play(Infinity);
  });
  off();
  assert.equal(seen.filter((s, i) => seen.indexOf(s) === i), [end - 2, end - 1, end]);
  assert.is(source.position().playing, undefined);
});

test('after a verify of an edited log, the diverging actor and the first differing message: expected against actual', async () => {
  const victim = log.entries.find((e) => e.kind === 'msg' && e.from === 'scheduler' && e.type === 'api.create' && JSON.stringify(e).includes('"crasher"'))!;
  const file = join(dir, 'altered.log');
  writeAltered(log, file, victim, (e) => void ((e.payload as { object: { target: { name: string } } }).object.target.name = 'node-9'));
  const { source: edited } = openReplaySource([file]);
  assert.is(edited.divergences(), undefined);
  const ds = await edited.verify();
  const d = ds.find((x) => x.actor === 'scheduler')!;
  assert.ok(d, JSON.stringify(ds));
  assert.is(d.seq, victim.n);
  assert.is(d.kind, 'output');
  assert.is(d.path, 'payload.object.target.name');
  assert.is(d.expected, 'node-9');
  assert.is(typeof d.actual, 'string');
  assert.is.not(d.actual, 'node-9');
  assert.equal(edited.divergences(), ds);
  // The verify CLI names the same seq.
  const out: string[] = [];
  await replay([file, '--verify'], { out: (l) => out.push(l), err: () => {} });
  assert.match(out.join('\n'), new RegExp(`divergence at seq ${d.seq}, actor scheduler`));
});

test.run();
