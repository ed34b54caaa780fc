/**
 * Scheduler preemption with the real kubectl (wall clock): on a full node, a pod of a
 * higher PriorityClass preempts the low-priority pod — the victim gets the Preempted event
 * and goes, the preemptor is nominated to the node and then runs there.
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
import { eventually } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-preempt-'));
const bus = new InProcessBus();
const host = new ActorHost({ bus, clock: realClock, seed: 1, logger: silentLogger });
const core = startControlPlaneCore({ bus, host, backend: new MemoryKv() });
await core.ready();
const { front, kubeconfig } = await startKubectlFront({ bus, dataDir: dir, port: 0 });
const controllers = startPodPrerequisites(host, front.caCert);
const nodes = await startSimNodes({ host, clock: realClock, count: 1, configure: () => ({ capacity: { cpu: '2' } }) });
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

const pod = (name: string, priorityClassName: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  priorityClassName: ${priorityClassName}
  terminationGracePeriodSeconds: 1
  containers: [{name: app, image: nginx:1.27, resources: {requests: {cpu: "2"}}}]
`;

test('a high-priority pod preempts a low-priority one on a full node', async () => {
  for (const [name, value] of [['low', '10'], ['high', '1000']]) {
    const r = await kubectl(['create', 'priorityclass', name!, `--value=${value}`]);
    assert.is(r.code, 0, r.stderr);
  }
  assert.is((await kubectl(['apply', '-f', '-'], pod('batch', 'low'))).code, 0);
  await eventually(async () => (await kubectl(['get', 'pod', 'batch', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', { what: 'batch runs', timeoutMs: 15_000 });
  const uid = await (async () => {
    assert.is((await kubectl(['apply', '-f', '-'], pod('urgent', 'high'))).code, 0);
    return (await kubectl(['get', 'pod', 'urgent', '-o', 'jsonpath={.metadata.uid}'])).stdout;
  })();
  await eventually(async () => (await kubectl(['get', 'pod', 'urgent', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', { what: 'urgent runs', timeoutMs: 15_000 });
  const got = await kubectl(['get', 'pod', 'urgent', '-o', 'jsonpath={.spec.nodeName} {.status.nominatedNodeName} {.spec.priority}']);
  assert.match(got.stdout, /^node-1 (node-1)? 1000$/);
  const gone = await kubectl(['get', 'pod', 'batch', '--ignore-not-found', '-o', 'name']);
  assert.is(gone.stdout, '');
  const events = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=batch,reason=Preempted', '-o', 'jsonpath={.items[*].message}']);
  assert.is(events.stdout, `Preempted by pod ${uid} on node node-1`);
  const failed = await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=urgent,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}']);
  assert.is(failed.stdout, '0/1 nodes are available: 1 Insufficient cpu.');
});

test.run();
