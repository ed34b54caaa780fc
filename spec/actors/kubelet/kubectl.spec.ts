/**
 * Sim nodes seen by the real kubectl through the HTTP front (wall clock): `get nodes`,
 * a pod bound by hand reaching Running, and `kubectl logs` (plain, --tail, -f) answered by
 * the node's kubelet.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../../../bus/inprocess.ts';
import { ActorHost } from '../../../actors/host.ts';
import { realClock } from '../../../base/real-clock.ts';
import { silentLogger } from '../../../actors/logger.ts';
import { MemoryKv } from '../../../actors/kv/memory.ts';
import { startControlPlaneCore } from '../../../actors/apiserver/start.ts';
import { startHttpFront } from '../../../actors/apiserver/http/server.ts';
import { writeKubeconfig } from '../../../actors/apiserver/http/kubeconfig.ts';
import { startSimNodes } from '../../../actors/kubelet/index.ts';
import { eventually } from '../../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-kubelet-'));
const bus = new InProcessBus();
const host = new ActorHost({ bus, clock: realClock, seed: 1, logger: silentLogger });
// No controller-manager here makes kube-root-ca.crt: the ServiceAccount plugin is off, as in the spec harness.
const core = startControlPlaneCore({ bus, host, backend: new MemoryKv(), apiserver: { disableAdmissionPlugins: ['ServiceAccount'] } });
await core.ready();
const front = await startHttpFront({ bus, port: 0, address: '127.0.0.1', token: 'kubelet-token', dataDir: dir });
const kubeconfig = await writeKubeconfig({ dataDir: dir, server: front.url, token: 'kubelet-token', caCert: front.caCert });
const nodes = await startSimNodes({ host, clock: realClock, count: 2 });
const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, NO_COLOR: '1' };

const kubectl = (args: string[], input?: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile('kubectl', ['--request-timeout=20s', ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? 1 : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });

/** kubectl polls: every 100 ms, for at most 10 s. */
const POLL = { intervalMs: 100, timeoutMs: 10_000 };

test.after(async () => {
  nodes.stop();
  await front.close();
  core.stop();
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl get nodes shows the sim nodes Ready with their addresses and runtime', async () => {
  await eventually(async () => (await kubectl(['get', 'nodes'])).stdout, { what: 'node-2 Ready', accept: (s) => /node-2\s+Ready/.test(s), ...POLL });
  const wide = (await kubectl(['get', 'nodes', '-o', 'wide'])).stdout;
  assert.match(wide, /node-1\s+Ready\s+<none>\s+\S+\s+v1\.32\.0\s+127\.0\.1\.1\s+<none>\s+Kubeactor sim node\s+6\.8\.0-kubeactor\s+kubeactor-sim:\/\/0\.1\.0/);
});

test('a pod bound to node-1 runs, and kubectl logs reads it from the kubelet', async () => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: chatty\n  annotations: {sim.kubeactor.io/log-every-s: "0.2"}\nspec:\n  nodeName: node-1\n  containers: [{name: app, image: busybox:1.36}]\n';
  assert.is((await kubectl(['apply', '-f', '-'], pod)).code, 0);
  await eventually(async () => (await kubectl(['get', 'pod', 'chatty'])).stdout, { what: 'chatty Running', accept: (s) => /chatty\s+1\/1\s+Running/.test(s), ...POLL });
  // A line every 0.2 s of real time: the first three come in order.
  await eventually(async () => (await kubectl(['logs', 'chatty'])).stdout, { what: 'three log lines', accept: (s) => /^line 1\nline 2\nline 3\n/.test(s), ...POLL });
  assert.is((await kubectl(['logs', 'chatty', '--tail=1'])).stdout.split('\n').length, 2);
  const follow = spawn('kubectl', ['logs', '-f', 'chatty', '--tail=1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  follow.stdout.on('data', (d: Buffer) => (out += d));
  await eventually(() => out.split('\n').length >= 4, { ...POLL, timeoutMs: 5000, detail: () => out });
  follow.kill('SIGTERM');
  // The tail line, then new lines as they are written: consecutive, none lost or repeated.
  const seq = out.split('\n').filter(Boolean).map((l) => Number(/^line (\d+)$/.exec(l)?.[1]));
  assert.ok(seq.every((v, i) => i === 0 || v === seq[i - 1]! + 1), out);
});

test('kubectl: an invalid volume spec is a 422 with the field path; a missing ConfigMap shows as FailedMount in describe', async () => {
  const bad = 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  volumes: [{name: v, hostPath: {path: /srv, type: Dir}}]\n  containers: [{name: app, image: busybox:1.36, volumeMounts: [{name: v, mountPath: /v, subPath: ../x}]}]\n';
  const r = await kubectl(['apply', '-f', '-'], bad);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr, /The Pod "bad" is invalid: \n\* spec\.volumes\[0\]\.hostPath\.type: Unsupported value: "Dir": supported values: "", "BlockDevice", /);
  assert.match(r.stderr, /\n\* spec\.containers\[0\]\.volumeMounts\.subPath: Invalid value: "\.\.\/x": must not contain '\.\.'/);
  const waits = 'apiVersion: v1\nkind: Pod\nmetadata: {name: waits}\nspec:\n  nodeName: node-2\n  volumes: [{name: cfg, configMap: {name: absent}}]\n  containers: [{name: app, image: busybox:1.36, volumeMounts: [{name: cfg, mountPath: /cfg}]}]\n';
  assert.is((await kubectl(['apply', '-f', '-'], waits)).code, 0);
  const described = await eventually(async () => (await kubectl(['describe', 'pod', 'waits'])).stdout, { what: 'FailedMount in describe', accept: (s) => s.includes('FailedMount'), ...POLL });
  assert.match(described, /Warning\s+FailedMount\s+.*kubelet\s+MountVolume\.SetUp failed for volume "cfg" : configmap "absent" not found/);
  assert.match(described, /State:\s+Waiting\n\s+Reason:\s+ContainerCreating/);
});

test.run();
