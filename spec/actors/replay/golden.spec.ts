/**
 * The golden log (spec/fixtures/golden/cluster.log, recorded by `npm run golden:record`
 * from spec/fixtures/golden/scenario.ts) verifies against the current code: every actor
 * of the cluster is rebuilt and fed its recorded inputs, and everything it sends must be
 * what the log says. A change that alters behaviour fails here; re-record when the change
 * is meant.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLog } from '../../../actors/record/reader.ts';
import { writeAltered } from '../../helpers/logs.ts';
import type { LogEntry } from '../../../actors/record/format.ts';
import { GOLDEN_LOG } from '../../fixtures/golden/scenario.ts';
import { runCli } from '../../helpers/cli.ts';
import type { SchedulerContext } from '../../../machines/scheduler/chart.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-golden-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const log = readLog(GOLDEN_LOG);
const text = (e: LogEntry): string => JSON.stringify(e);

async function verify(file: string): Promise<{ code: number | null; out: string }> {
  const p = runCli(['replay', '--verify', file]);
  const code = await p.exited();
  return { code, out: p.output() };
}

test('the golden log covers the scenario: rollout, scale-up, crash loop, a node gone silent', () => {
  assert.equal(log.warnings, []);
  const all = log.entries.map(text).join('\n');
  // The rollout: the Deployment controller scales a second ReplicaSet up (nginx:1.28) and the first down.
  assert.ok(log.entries.some((e) => e.kind === 'msg' && e.from === 'controller.deployment' && text(e).includes('ScalingReplicaSet')));
  assert.match(all, /nginx:1\.28/);
  assert.match(all, /"replicas":4/);
  // The crash loop: the kubelet reports BackOff and the container waits in CrashLoopBackOff.
  assert.match(all, /"reason":"BackOff"/);
  assert.match(all, /CrashLoopBackOff/);
  // node-3's kubelet stopped: its Node is tainted unreachable and its pods evicted.
  assert.ok(log.entries.some((e) => e.kind === 'stop' && e.address === 'kubelet.node-3'));
  assert.match(all, /node\.kubernetes\.io\/unreachable/);
  assert.match(all, /TaintManagerEviction/);
  // Every kind of actor is in it, pods included (observed at event level).
  const machines = new Set(log.entries.flatMap((e) => (e.kind === 'start' ? [e.machine] : [])));
  assert.equal([...machines].sort(), ['admission-webhooks', 'apiserver', 'informers', 'kubelet', 'kv', 'pod', 'reconcile', 'scheduler']);
});

test('kubeactor replay --verify: the current code does exactly what the golden log says', async () => {
  const { code, out } = await verify(GOLDEN_LOG);
  assert.is(code, 0, out);
  const summary = /verified (\d+) actor\(s\), (\d+) output\(s\) matched over (\d+) entries; 0 skipped; 0 divergence\(s\)/.exec(out);
  assert.ok(summary, out);
  const actors = new Set(log.entries.flatMap((e) => (e.kind === 'start' ? [e.address] : [])));
  assert.is(Number(summary[1]), actors.size);
  // Fewer since the controllers and the scheduler share one informer factory (one watch per resource).
  assert.ok(Number(summary[2]) > 2500, out);
  assert.is(Number(summary[3]), log.entries.length);
});

test('an altered payload in the golden log: --verify names that exact seq and exits 1', async () => {
  // The scheduler's binding of the crash-looping pod now names another node.
  const victim = log.entries.find((e) => e.kind === 'msg' && e.from === 'scheduler' && e.type === 'api.create' && text(e).includes('"crasher"'))!;
  assert.ok(victim, 'the scheduler binds crasher');
  const file = join(dir, 'altered.log');
  writeAltered(log, file, victim, (e) => void ((e.payload as { object: { target: { name: string } } }).object.target.name = 'node-9'));
  const { code, out } = await verify(file);
  assert.is(code, 1, out);
  assert.match(out, new RegExp(`^divergence at seq ${victim.n}, actor scheduler: message #${(victim as { seq: number }).seq} \\(api.create to apiserver\\) differs`, 'm'));
  assert.match(out, /at payload\.object\.target\.name/);
  assert.match(out, /- expected: "node-9"/);
});

test('a checkpoint that does not match: --verify reports the snapshot at its seq', async () => {
  // The recording ends with every running actor's persisted snapshot; claim one pod's timer was in another state.
  const victim = log.entries.find((e) => e.kind === 'snapshot' && e.actor.startsWith('pod.'))!;
  assert.ok(victim, 'pods are checkpointed');
  const file = join(dir, 'altered-snapshot.log');
  writeAltered(log, file, victim, (e) => {
    const snapshot = (e as { snapshot: { value: { timer: string } } }).snapshot;
    snapshot.value.timer = snapshot.value.timer === 'idle' ? 'armed' : 'idle';
  });
  const { code, out } = await verify(file);
  assert.is(code, 1, out);
  assert.match(out, new RegExp(`^divergence at seq ${victim.n}, actor ${victim.kind === 'snapshot' ? victim.actor : ''}: its persisted snapshot differs`, 'm'));
  assert.match(out, /at value\.timer/);
});

test('kubeactor replay --at: the scheduler\'s context shows its bind in flight, the queue and the pods it placed', async () => {
  const bind = log.entries.find((e) => e.kind === 'msg' && e.from === 'scheduler' && e.type === 'api.create' && text(e).includes('"subresource":"binding"'));
  assert.ok(bind && bind.kind === 'msg', 'the scheduler binds a pod');
  const { target, object } = bind.payload as { target: { name: string }; object: { target: { name: string } } };
  const p = runCli(['replay', '--at', String(bind.n), '--actor', 'scheduler', '--json', GOLDEN_LOG]);
  assert.is(await p.exited(), 0, p.output());
  const view = JSON.parse(p.output().split('\n')[0]!) as { address: string; context: SchedulerContext };
  assert.is(view.address, 'scheduler');
  const pending = Object.values(view.context.binding).map((b) => [b.queued.pod.metadata?.name, b.node]);
  assert.ok(pending.some(([pod, node]) => pod === target.name && node === object.target.name), JSON.stringify(pending));
  assert.is(view.context.inFlight, pending.length);
  assert.ok(Object.values(view.context.podNodes).includes(object.target.name));
  assert.equal(view.context.queue.config.maxInUnschedulableMs, 300_000);
});

test.run();
