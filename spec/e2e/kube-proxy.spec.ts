/**
 * Services carry traffic end to end: the real `kubeactor up --default-runtime process` with
 * two nodes, the real kubectl, real HTTP requests. A Deployment of two kubeactor/http-echo
 * replicas exposed as a NodePort Service answers on its ClusterIP and on the NodePort of
 * every node IP, spread over both pods (each answer names its pod); a Service exposed with
 * `--external-ip` answers on that address (127.246.9.1); a pod failing its readiness probe
 * gets no new connections; deleting the Services closes the ports; nothing outlives `up`.
 * Then the same over a real nats-server, the node (with its kube-proxy) in a `kubeactor node`
 * process. This spec's pods use 127.241.0.0/16, one cluster at a time.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { natsServerConfig } from '../../bus/nats/server-config.ts';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { processesNaming } from '../helpers/processes.ts';
import { eventually } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-proxy-'));
const kubectl = kubectlAt(join(dir, 'kubeconfig'), dir);
const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '2', '--default-runtime', 'process', '--cluster-cidr', '127.241.0.0/16']);

/** The pod named in one answer over a fresh connection (no keep-alive: each request is a new connection to balance), or the error code. */
const podAt = (host: string, port: number): Promise<string> => new Promise((resolve) => {
  request({ host, port, path: '/', agent: false, timeout: 5000 }, (res) => {
    let b = '';
    res.on('data', (d) => (b += d));
    res.on('end', () => resolve(/^pod: (\S+)/.exec(b)?.[1] ?? `answer: ${b.slice(0, 80)}`));
  }).on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message)).end();
});
async function podsAt(host: string, port: number, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await podAt(host, port));
  return out;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: echo
        image: kubeactor/http-echo:1.0
        ports: [{ name: http, containerPort: 8080 }]
        # Ready until someone creates /tmp/unready in the container.
        readinessProbe: { exec: { command: [sh, -c, '! test -f /tmp/unready'] }, periodSeconds: 1 }
`;

const procs: CliProcess[] = [];
let nats: NatsServerHandle | undefined;
const EXTERNAL_IP = '127.246.9.1';
let clusterIP = '';
let nodePort = 0;
let nodeIPs: string[] = [];
let pods: string[] = [];

test('a NodePort Service answers on its ClusterIP and on every node IP, spread over both pods', async () => {
  await up.waitFor('ready.', 60_000);
  assert.match(up.output(), 'kube-proxy: on every node');
  await kubectl.run(['apply', '-f', '-'], DEPLOYMENT);
  await kubectl('rollout', 'status', 'deployment/web', '--timeout=90s');
  // The named targetPort resolves to the container port in the EndpointSlice.
  await kubectl('expose', 'deployment', 'web', '--type=NodePort', '--port=8080', '--target-port=http');
  clusterIP = await kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}');
  nodePort = Number(await kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}'));
  // From the Service range up claimed: 127.96.0.0/12, or the next free /12 below when another cluster on this host holds it.
  const range = /ClusterIPs from 127\.(\d+)\.0\.0\/12/.exec(up.output())?.[1];
  assert.ok(range, up.output());
  const second = Number(clusterIP.split('.')[1]);
  assert.ok(clusterIP.startsWith('127.') && second >= Number(range) && second < Number(range) + 16, `${clusterIP} in 127.${range}.0.0/12`);
  nodeIPs = (await kubectl('get', 'nodes', '-o', 'jsonpath={.items[*].status.addresses[?(@.type=="InternalIP")].address}')).split(' ');
  assert.is(nodeIPs.length, 2);
  pods = (await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').sort();
  for (const [host, port] of [[clusterIP, 8080], ...nodeIPs.map((ip) => [ip, nodePort] as const)] as const) {
    const seen = await eventually(async () => new Set(await podsAt(host, port, 6)), {
      accept: (s) => s.size === 2, timeoutMs: 20_000, intervalMs: 200, what: `${host}:${port} answered by both pods`, detail: () => up.output().slice(-2000),
    });
    assert.equal([...seen].sort(), pods);
  }
});

test('kubectl expose --external-ip: the Service answers on its externalIP too', async () => {
  await kubectl('expose', 'deployment', 'web', '--name=web-ext', '--port=8081', '--target-port=http', `--external-ip=${EXTERNAL_IP}`);
  assert.is(await kubectl('get', 'svc', 'web-ext', '-o', 'jsonpath={.spec.externalIPs[0]} {.spec.externalTrafficPolicy}'), `${EXTERNAL_IP} Cluster`);
  const seen = await eventually(async () => new Set(await podsAt(EXTERNAL_IP, 8081, 6)), {
    accept: (s) => s.size === 2, timeoutMs: 20_000, intervalMs: 200, what: `${EXTERNAL_IP}:8081 answered by both pods`, detail: () => up.output().slice(-2000),
  });
  assert.equal([...seen].sort(), pods);
});

test('a pod failing its readiness probe gets no new connections', async () => {
  const [failing, healthy] = pods as [string, string];
  await kubectl('exec', failing, '--', 'touch', '/tmp/unready');
  await kubectl('wait', '--for=condition=Ready=false', `pod/${failing}`, '--timeout=30s');
  const answered = await eventually(() => podsAt(clusterIP, 8080, 6), { accept: (a) => a.every((p) => p === healthy), timeoutMs: 10_000, intervalMs: 200, what: 'only the ready pod answers' });
  assert.equal(answered, Array(6).fill(healthy));
  assert.equal(await podsAt(nodeIPs[1]!, nodePort, 4), Array(4).fill(healthy));
});

test('deleting the Service closes its ClusterIP and NodePorts; nothing outlives up', async () => {
  await kubectl('delete', 'service', 'web', 'web-ext');
  for (const [host, port] of [[clusterIP, 8080], [EXTERNAL_IP, 8081], ...nodeIPs.map((ip) => [ip, nodePort] as const)] as const) {
    await eventually(() => podAt(host, port), { accept: (r) => r === 'ECONNREFUSED', timeoutMs: 10_000, intervalMs: 100, what: `${host}:${port} refused` });
  }
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  await eventually(() => processesNaming(dir).length === 0, { timeoutMs: 5000, what: 'no process of this cluster left' });
});

test('over NATS: the kube-proxy of a `kubeactor node` process serves the ClusterIP and its NodePort', async () => {
  const pass = { cp: 'cp-secret', w: 'w-secret' };
  const natsDir = join(dir, 'nats');
  nats = await startNatsServer({ config: natsServerConfig({ users: [{ identity: 'control-plane', password: pass.cp }, { identity: 'node-w', password: pass.w }] }) });
  const cp = runCli(['up', '--bus', nats.url, '--nodes', '0', '--storage', 'memory', '--data-dir', natsDir, '--port', '0'], { KUBEACTOR_NATS_PASS: pass.cp });
  procs.push(cp);
  await cp.waitFor('ready.', 30_000);
  const node = runCli(['node', '--bus', nats.url, '--name', 'w', '--nats-pass', pass.w, '--default-runtime', 'process', '--cluster-cidr', '127.241.0.0/16', '--data-dir', join(natsDir, 'node-data')]);
  procs.push(node);
  await node.waitFor('ready.', 30_000);
  const k = kubectlAt(join(natsDir, 'kubeconfig'), dir);
  await k('create', 'deployment', 'far', '--image=kubeactor/http-echo:1.0', '--replicas=2', '--port=8080');
  await k('rollout', 'status', 'deployment/far', '--timeout=90s');
  await k('expose', 'deployment', 'far', '--type=NodePort', '--port=8080');
  const ip = await k('get', 'svc', 'far', '-o', 'jsonpath={.spec.clusterIP}');
  const port = Number(await k('get', 'svc', 'far', '-o', 'jsonpath={.spec.ports[0].nodePort}'));
  const nodeIP = await k('get', 'node', 'w', '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
  const far = (await k('get', 'pods', '-l', 'app=far', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').sort();
  for (const [host, p] of [[ip, 8080], [nodeIP, port]] as const) {
    const seen = await eventually(async () => new Set(await podsAt(host, p, 6)), { accept: (s) => s.size === 2, timeoutMs: 20_000, intervalMs: 200, what: `${host}:${p} over NATS`, detail: () => node.output().slice(-2000) });
    assert.equal([...seen].sort(), far);
  }
  assert.is(await stopWithin(node, 'SIGTERM'), 0);
  await eventually(() => podAt(nodeIP, port), { accept: (r) => r === 'ECONNREFUSED', timeoutMs: 5000, what: 'the NodePort closed with its node' });
  assert.is(await stopWithin(cp, 'SIGTERM'), 0);
  await eventually(() => processesNaming(dir).length === 0, { timeoutMs: 5000, what: 'no process of these clusters left' });
});

test.after(async () => {
  await Promise.all([up, ...procs].map((p) => stopWithin(p, 'SIGTERM', 5000)));
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
