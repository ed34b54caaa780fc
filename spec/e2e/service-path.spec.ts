/**
 * The whole path a Service's traffic takes, end to end with the real kubectl on
 * `kubeactor up --default-runtime process` (two nodes): a frontend pod calls the backend
 * Service by its DNS name (cluster DNS through kube-proxy, then the ClusterIP through
 * kube-proxy); a LoadBalancer EXTERNAL-IP answers, spread over both replicas (the cloud
 * provider's listener, then a NodePort); scaling down while requests flow fails none of them
 * (terminating endpoints take no new connections and finish the ones they have). This spec's
 * pods use 127.240.0.0/16.
 */
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { processesNaming } from '../helpers/processes.ts';
import { eventually } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-svcpath-'));
const kubectl = kubectlAt(join(dir, 'kubeconfig'), dir);
const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '2', '--default-runtime', 'process', '--cluster-cidr', '127.240.0.0/16']);
const poll = { timeoutMs: 60_000, intervalMs: 250 };

/** The pod named in one answer (a fresh connection unless `agent` keeps them), or the error. */
const podAt = (host: string, port: number, agent: Agent | false = false): Promise<string> => new Promise((resolve) => {
  request({ host, port, path: '/', agent, timeout: 5000 }, (res) => {
    let b = '';
    res.on('data', (d) => (b += d));
    res.on('end', () => resolve(/^pod: (\S+)/.exec(b)?.[1] ?? `answer ${res.statusCode}: ${b.slice(0, 80)}`));
  }).on('error', (err: NodeJS.ErrnoException) => resolve(`error: ${err.code ?? err.message}`)).end();
});

test('a frontend pod calls the backend Service by its DNS name', async () => {
  await up.waitFor('ready.', 60_000);
  await kubectl('create', 'deployment', 'backend', '--image=kubeactor/http-echo:1.0', '--replicas=2', '--port=8080');
  await kubectl('expose', 'deployment', 'backend', '--port=80', '--target-port=8080', '--type=LoadBalancer');
  await kubectl('rollout', 'status', 'deployment/backend', '--timeout=90s');
  await kubectl('run', 'frontend', '--image=busybox', '--command', '--', 'sleep', '3600');
  await kubectl('wait', '--for=condition=Ready', 'pod/frontend', '--timeout=60s');
  const backends = (await kubectl('get', 'pods', '-l', 'app=backend', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ');
  // The short name goes through the pod's resolv.conf search list, kube-dns's ClusterIP and the backend's ClusterIP.
  const call = `import urllib.request; print(urllib.request.urlopen("http://backend/from-frontend", timeout=5).read().decode())`;
  const answer = await eventually(async () => (await kubectl.run(['exec', 'frontend', '--', 'python3', '-c', call])).out, { ...poll, accept: (o) => o.startsWith('pod: ') });
  assert.ok(backends.includes(/^pod: (\S+)/.exec(answer)![1]!), answer);
  assert.match(answer, 'request: GET /from-frontend HTTP/1.1');
  const fqdn = await kubectl('exec', 'frontend', '--', 'getent', 'hosts', 'backend.default.svc.cluster.local');
  assert.match(fqdn, await kubectl('get', 'svc', 'backend', '-o', 'jsonpath={.spec.clusterIP}'));
});

test('the LoadBalancer EXTERNAL-IP answers, spread over both replicas', async () => {
  const ip = await eventually(() => kubectl('get', 'svc', 'backend', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'), poll);
  assert.match(ip, /^127\.0\.\d+\.\d+$/);
  const backends = (await kubectl('get', 'pods', '-l', 'app=backend', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').sort();
  const seen = await eventually(async () => {
    const got = new Set<string>();
    for (let i = 0; i < 8; i++) got.add(await podAt(ip, 80));
    return [...got].sort();
  }, { ...poll, accept: (s) => s.length === 2 && s.every((p) => backends.includes(p)) });
  assert.equal(seen, backends);
});

test('scaling down while requests flow through the ClusterIP fails none of them', async () => {
  const clusterIP = await kubectl('get', 'svc', 'backend', '-o', 'jsonpath={.spec.clusterIP}');
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const answers: string[] = [];
  let flowing = true;
  const loops = Array.from({ length: 4 }, async () => {
    while (flowing) answers.push(await podAt(clusterIP, 80, agent));
  });
  await eventually(() => answers.length > 50, poll);
  await kubectl('scale', 'deployment', 'backend', '--replicas=1');
  await eventually(async () => (await kubectl('get', 'pods', '-l', 'app=backend', '--no-headers')).split('\n').filter(Boolean).length === 1, poll);
  const after = answers.length;
  await eventually(() => answers.length > after + 50, poll);
  flowing = false;
  await Promise.all(loops);
  agent.destroy();
  const failed = answers.filter((a) => !/^[a-z0-9-]+$/.test(a) || a.startsWith('answer') || a.startsWith('error'));
  assert.equal(failed, [], `${failed.length} of ${answers.length} requests failed`);
});

test('no process is left behind once up stops', async () => {
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  await eventually(() => processesNaming(join(dir, 'nodes')).length === 0, { timeoutMs: 5000 });
  rmSync(dir, { recursive: true, force: true });
});

test.run();
