import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLog } from '../../../actors/record/reader.ts';
import { writeAltered } from '../../helpers/logs.ts';
import { defaultRegistry } from '../../../actors/replay/builtins.ts';
import { loadLogs } from '../../../actors/replay/merge.ts';
import { runReplay } from '../../../actors/replay/replayer.ts';
import { recordPodRun } from './pod-run.ts';
import { runKv } from '../record/kv-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-verify-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a pod-chart run verifies against the current chart', async () => {
  const file = join(dir, 'pod.log');
  const reports = await recordPodRun(file);
  assert.ok(reports > 5);
  const { entries, header, warnings } = loadLogs([file]);
  assert.equal(warnings, []);
  assert.ok(entries.some((e) => e.kind === 'timer' && e.actor === 'pod.uid-1'), 'timer firings attributed to the pod');
  const r = await runReplay(entries, { registry: defaultRegistry(), header });
  assert.equal(r.divergences, []);
  assert.is(r.actors.size, 1);
  assert.is(r.matched, entries.filter((e) => e.kind === 'out').length);
});

test('an altered recorded output is reported at its exact seq', async () => {
  const file = join(dir, 'pod2.log');
  await recordPodRun(file);
  const log = readLog(file);
  const reports = log.entries.filter((e) => e.kind === 'out' && e.action === 'report');
  const victim = reports[4]!;
  writeAltered(log, join(dir, 'altered.log'), victim, (e) => {
    const data = e.data as { events: unknown[] };
    data.events = [...data.events, { type: 'Normal', reason: 'Forged', message: 'x', at: 0 }];
  });
  const { entries, header } = loadLogs([join(dir, 'altered.log')]);
  const r = await runReplay(entries, { registry: defaultRegistry(), header });
  assert.is(r.divergences.length, 1);
  const d = r.divergences[0]!;
  assert.is(d.i, victim.n);
  assert.is(d.actor, 'pod.uid-1');
  assert.is(d.kind, 'output');
  assert.match(d.diff!.path, /^data\.events/);
});

test('a kv run verifies (fresh memory store); an altered reply is reported at its seq', async () => {
  const file = join(dir, 'kv.log');
  await runKv(file);
  const { entries, header } = loadLogs([file]);
  const r = await runReplay(entries, { registry: defaultRegistry(), header });
  assert.equal(r.divergences, []);
  assert.equal(r.skipped, [{ address: 'worker.1', machine: 'counter', reason: 'no replayable machine "counter" in this build' }]);
  const fromKv = entries.filter((e) => e.kind === 'msg' && e.from === 'kv').length;
  assert.is(r.matched, fromKv);
  const victim = entries.find((e) => e.kind === 'msg' && e.from === 'kv' && e.type === 'reply' && e.corr === 'apiserver#8')!;
  const altered = entries.map((e) => (e === victim && e.kind === 'msg' ? { ...e, payload: { ok: true, value: { items: [], revision: 6 } } } : e));
  const bad = await runReplay(altered, { registry: defaultRegistry(), header });
  assert.is(bad.divergences.length, 1);
  assert.is(bad.divergences[0]!.i, victim.i);
  assert.is(bad.divergences[0]!.actor, 'kv');
});

test('--at: the state of an actor right after an entry', async () => {
  const file = join(dir, 'kv-at.log');
  await runKv(file);
  const { entries, header } = loadLogs([file]);
  const watch = entries.find((e) => e.kind === 'msg' && e.type === 'kv.watch')!;
  const r = await runReplay(entries, { registry: defaultRegistry(), header, upTo: watch.i, select: (a) => a === 'kv' });
  const snap = r.actors.get('kv')!.snapshot() as unknown as { value: unknown; context: { watchesOpened: number; counts: Record<string, number> } };
  assert.is(snap.value, 'serving');
  assert.is(snap.context.watchesOpened, 1);
  assert.is(snap.context.counts['kv.txn'], 0);
  assert.equal(r.divergences, []);
});

test.run();
