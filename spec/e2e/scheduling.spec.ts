/**
 * The scheduler with the real kubectl (wall clock): a Pod applied without a node is
 * scheduled and runs (`get pods -o wide` shows NODE and IP; `describe` the Scheduled,
 * Pulled, Created and Started events), an unfit one shows FailedScheduling, and
 * `kubeactor explain-schedule` reads the opted-in pod's result through the kubeconfig.
 * Composes its own cluster (spec/e2e/cluster.ts has no scheduler or nodes).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../../bus/inprocess.ts';
import { ActorHost } from '../../actors/host.ts';
import { realClock } from '../../base/real-clock.ts';
import { silentLogger } from '../../actors/logger.ts';
import { MemoryKv } from '../../actors/kv/memory.ts';
import { startControlPlaneCore } from '../../actors/apiserver/start.ts';
import { startPodPrerequisites } from './cluster.ts';
import { startKubectlFront } from '../../actors/apiserver/http/index.ts';
import { startSimNodes } from '../../actors/kubelet/index.ts';
import { startScheduler } from '../../actors/scheduler/index.ts';
import { explainSchedule } from '../../cli/explain-schedule.ts';
import { eventually } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-sched-'));
const bus = new InProcessBus();
const host = new ActorHost({ bus, clock: realClock, seed: 1, logger: silentLogger });
const core = startControlPlaneCore({ bus, host, backend: new MemoryKv() });
await core.ready();
const { front, kubeconfig } = await startKubectlFront({ bus, dataDir: dir, port: 0 });
const controllers = startPodPrerequisites(host, front.caCert);
const nodes = await startSimNodes({ host, clock: realClock, count: 3 });
const scheduler = startScheduler(host);
const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, NO_COLOR: '1' };

const kubectl = (args: string[], input?: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile('kubectl', ['--request-timeout=20s', ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });

test.after(async () => {
  scheduler.stop();
  controllers.stop();
  nodes.stop();
  await front.close();
  core.stop();
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

const WEB = `apiVersion: v1
kind: Pod
metadata:
  name: web-1
  annotations: {scheduler.kubeactor.io/explain: "true"}
spec:
  containers:
  - name: web
    image: nginx:1.27
    resources: {requests: {cpu: 250m, memory: 64Mi}}
`;

test('kubectl apply of a Pod: scheduled, Running, with NODE and IP, and the events in describe', async () => {
  await eventually(async () => (await kubectl(['get', 'nodes'])).stdout.split('\n').filter((l) => / Ready /.test(l)).length === 3, { timeoutMs: 15_000, intervalMs: 50 });
  const applied = await kubectl(['apply', '-f', '-'], WEB);
  assert.is(applied.code, 0, applied.stderr);
  await eventually(async () => /web-1\s+1\/1\s+Running/.test((await kubectl(['get', 'pod', 'web-1'])).stdout), { timeoutMs: 15_000, intervalMs: 50 });
  const wide = (await kubectl(['get', 'pods', '-o', 'wide'])).stdout;
  assert.match(wide, /web-1\s+1\/1\s+Running\s+0\s+\S+\s+127\.244\.\d+\.\d+\s+node-[123]\s+<none>\s+<none>/);
  const node = /web-1\s.*\s(node-[123])\s/.exec(wide)?.[1];
  const described = (await kubectl(['describe', 'pod', 'web-1'])).stdout;
  assert.match(described, new RegExp(`Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/web-1 to ${node}`));
  for (const reason of ['Pulled', 'Created', 'Started']) assert.match(described, new RegExp(`Normal\\s+${reason}\\s`), reason);
  assert.match(described, /PodScheduled\s+True/);
});

test('an unfit pod shows FailedScheduling with the per-node reasons', async () => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: greedy}\nspec:\n  containers: [{name: c, image: busybox:1.36, resources: {requests: {cpu: "100"}}}]\n';
  assert.is((await kubectl(['apply', '-f', '-'], pod)).code, 0);
  await eventually(async () => /FailedScheduling/.test((await kubectl(['describe', 'pod', 'greedy'])).stdout), { timeoutMs: 10_000, intervalMs: 50 });
  const described = (await kubectl(['describe', 'pod', 'greedy'])).stdout;
  assert.match(described, /Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/3 nodes are available: 3 Insufficient cpu\./);
  assert.match(described, /PodScheduled\s+False/);
  assert.match((await kubectl(['get', 'pod', 'greedy', '-o', 'wide'])).stdout, /greedy\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>/);
});

test('kubeactor explain-schedule prints a table per node for the opted-in pod', async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: unknown) => void lines.push(String(s));
  let code: number;
  try {
    code = await explainSchedule(['web-1', '--kubeconfig', kubeconfig]);
  } finally {
    console.log = log;
  }
  assert.is(code, 0);
  const out = lines.join('\n');
  assert.match(out, /^Pod default\/web-1: scheduled to node-[123]/);
  assert.match(out, /NODE\s+FILTER\s+.*NodeResourcesFit.*TOTAL/);
  for (const n of ['node-1', 'node-2', 'node-3']) assert.match(out, new RegExp(`^${n}\\s+(selected|feasible)\\s+\\d`, 'm'));
  const errs: string[] = [];
  const error = console.error;
  console.error = (s: unknown) => void errs.push(String(s));
  try {
    assert.is(await explainSchedule(['greedy', '--kubeconfig', kubeconfig]), 1);
  } finally {
    console.error = error;
  }
  assert.match(errs.join('\n'), /carries no scheduling result/);
});

test.run();
