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

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-kubelet-'));
const bus = new InProcessBus();
const host = new ActorHost({ bus, clock: realClock, seed: 1, logger: silentLogger });
const core = startControlPlaneCore({ bus, host, backend: new MemoryKv() });
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

async function eventually(cond: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

test.after(async () => {
  nodes.stop();
  await front.close();
  core.stop();
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl get nodes shows the sim nodes Ready with their addresses and runtime', async () => {
  assert.ok(await eventually(async () => /node-2\s+Ready/.test((await kubectl(['get', 'nodes'])).stdout)));
  const wide = (await kubectl(['get', 'nodes', '-o', 'wide'])).stdout;
  assert.match(wide, /node-1\s+Ready\s+<none>\s+\S+\s+v1\.32\.0\s+127\.0\.1\.1\s+<none>\s+Kubeactor sim node\s+6\.8\.0-kubeactor\s+kubeactor-sim:\/\/0\.1\.0/);
});

test('a pod bound to node-1 runs, and kubectl logs reads it from the kubelet', async () => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: chatty\n  annotations: {sim.kubeactor.io/log-every-s: "0.2"}\nspec:\n  nodeName: node-1\n  containers: [{name: app, image: busybox:1.36}]\n';
  assert.is((await kubectl(['apply', '-f', '-'], pod)).code, 0);
  assert.ok(await eventually(async () => /chatty\s+1\/1\s+Running/.test((await kubectl(['get', 'pod', 'chatty'])).stdout)));
  await new Promise((r) => setTimeout(r, 700));
  const logs = await kubectl(['logs', 'chatty']);
  assert.match(logs.stdout, /^line 1\nline 2\nline 3\n/);
  assert.is((await kubectl(['logs', 'chatty', '--tail=1'])).stdout.split('\n').length, 2);
  const follow = spawn('kubectl', ['logs', '-f', 'chatty', '--tail=1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  follow.stdout.on('data', (d: Buffer) => (out += d));
  assert.ok(await eventually(async () => out.split('\n').length >= 4, 5000), out);
  follow.kill('SIGTERM');
  // The tail line, then new lines as they are written: consecutive, none lost or repeated.
  const seq = out.split('\n').filter(Boolean).map((l) => Number(/^line (\d+)$/.exec(l)?.[1]));
  assert.ok(seq.every((v, i) => i === 0 || v === seq[i - 1]! + 1), out);
});

test.run();
