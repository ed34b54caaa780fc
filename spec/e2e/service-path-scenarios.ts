/**
 * The whole path a Service's traffic takes (issue 12's "Done when"), written once and run by two
 * spec files against the real `kubeactor up`, the real kubectl and real HTTP clients: with two
 * nodes in the control plane's process (service-path-scenarios.spec.ts) and with two nodes in a
 * `kubeactor node` process over a real nats-server (nats-service-path-scenarios.spec.ts).
 *
 * A frontend pod calls the backend Service by its DNS name (the pod's resolv.conf names
 * kube-dns's ClusterIP, which kube-proxy forwards to cluster DNS); the ClusterIP, the NodePort
 * on every node IP and the LoadBalancer EXTERNAL-IP (the cloud provider's listener, then a
 * NodePort) answer, spread over both replicas, and so does a Service exposed with
 * `--external-ip` on that address; a pod failing readiness gets no new connections;
 * scaling down while requests flow fails none of them; `kubectl create secret tls` and
 * `kubectl create ingress` serve two hosts over HTTPS with their own certificates (checked with
 * `curl --resolve`); deleting the Service closes its ports; nothing outlives the cluster.
 *
 * A spec file passes a cluster of two process-runtime nodes whose `up` was started with
 * `--ingress-http-port 0 --ingress-https-port 0`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCidr, parseIp } from '../../api/ipv4.ts';
import type { Kubectl } from '../helpers/kubectl.ts';
import { processesNaming } from '../helpers/processes.ts';
import { eventually } from '../helpers/wait.ts';

/** A running cluster of two nodes that run process pods. */
export interface ServiceCluster {
  /** The spec's own directory: kubectl's HOME and kubeconfig, the nodes' data; every process of the spec names it. */
  dir: string;
  kubectl: Kubectl;
  /** What `up` printed so far (its Service range, the ingress controller's ports). */
  output(): string;
  /** A loopback address of this spec file's own, for a Service's `spec.externalIPs`. */
  externalIP: string;
  /** Stops the nodes and the control plane, asserting each exits with 0. */
  stop(): Promise<void>;
}

const BACKEND = `apiVersion: apps/v1
kind: Deployment
metadata: { name: backend }
spec:
  replicas: 2
  selector: { matchLabels: { app: backend } }
  template:
    metadata: { labels: { app: backend } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: echo
        image: kubeactor/http-echo:1.0
        ports: [{ name: http, containerPort: 8080 }]
        # Ready until someone creates /tmp/unready in the container.
        readinessProbe: { exec: { command: [sh, -c, '! test -f /tmp/unready'] }, periodSeconds: 1 }
`;

const run = promisify(execFile);
const poll = { timeoutMs: 60_000, intervalMs: 250 };

/** The pod named in one answer (a fresh connection unless `agent` keeps them), or what went wrong. */
const podAt = (host: string, port: number, agent: Agent | false = false): Promise<string> => new Promise((resolve) => {
  request({ host, port, path: '/', agent, timeout: 5000 }, (res) => {
    let b = '';
    res.on('data', (d) => (b += d));
    res.on('end', () => resolve(/^pod: (\S+)/.exec(b)?.[1] ?? `answer ${res.statusCode}: ${b.slice(0, 80)}`));
  }).on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message)).end();
});
async function podsAt(host: string, port: number, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await podAt(host, port));
  return out;
}

/** Registers the scenarios as uvu tests; the first starts the cluster with `start`, the last stops it. */
export function servicePathScenarios(start: () => Promise<ServiceCluster>): void {
  let c: ServiceCluster;
  let kubectl: Kubectl;
  let backends: string[] = [];
  let clusterIP = '';
  let nodePort = 0;
  let nodeIPs: string[] = [];
  let externalIP = '';
  const curl = async (...args: string[]) => (await run('curl', ['-sS', '--max-time', '10', ...args], { env: { ...process.env, HOME: c.dir } })).stdout;
  /** Each `[host, port]` a client reaches the backend Service at. */
  const entrances = (): (readonly [string, number])[] => [[clusterIP, 80], ...nodeIPs.map((ip) => [ip, nodePort] as const), [externalIP, 80]];

  test('a frontend pod calls the backend Service by its DNS name', async () => {
    c = await start();
    kubectl = c.kubectl;
    const applied = await kubectl.run(['apply', '-f', '-'], BACKEND);
    assert.is(applied.code, 0, applied.err);
    // The named targetPort resolves to the container port in the EndpointSlice.
    await kubectl('expose', 'deployment', 'backend', '--type=LoadBalancer', '--port=80', '--target-port=http');
    await kubectl('rollout', 'status', 'deployment/backend', '--timeout=90s');
    await kubectl('run', 'frontend', '--image=busybox', '--command', '--', 'sleep', '3600');
    await kubectl('wait', '--for=condition=Ready', 'pod/frontend', '--timeout=60s');
    backends = (await kubectl('get', 'pods', '-l', 'app=backend', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').sort();
    // The kubelet names kube-dns's ClusterIP, wherever the control plane claimed the Service range.
    const dnsIP = await kubectl('get', 'service', '-n', 'kube-system', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}');
    assert.match(await kubectl('exec', 'frontend', '--', 'cat', '/etc/resolv.conf'), `\nnameserver ${dnsIP}\n`);
    // The short name goes through the pod's search list, kube-dns's ClusterIP and the backend's ClusterIP.
    const call = `import urllib.request; print(urllib.request.urlopen("http://backend/from-frontend", timeout=5).read().decode())`;
    const answer = await eventually(async () => (await kubectl.run(['exec', 'frontend', '--', 'python3', '-c', call])).out, { ...poll, accept: (o) => o.startsWith('pod: ') });
    assert.ok(backends.includes(/^pod: (\S+)/.exec(answer)![1]!), answer);
    assert.match(answer, 'request: GET /from-frontend HTTP/1.1');
    clusterIP = await kubectl('get', 'svc', 'backend', '-o', 'jsonpath={.spec.clusterIP}');
    assert.match(await kubectl('exec', 'frontend', '--', 'getent', 'hosts', 'backend.default.svc.cluster.local'), clusterIP);
  });

  test('a pod\'s connection to the ClusterIP goes straight to a backend pod, from the pod\'s own IP (connect-time translation)', async () => {
    const podIP = await kubectl('get', 'pod', 'frontend', '-o', 'jsonpath={.status.podIP}');
    const call = `import urllib.request; print(urllib.request.urlopen("http://${clusterIP}/clientip", timeout=5).read().decode())`;
    // Through kube-proxy's listener the backend would see the proxy's address (127.0.0.1).
    const seen = await kubectl('exec', 'frontend', '--', 'python3', '-c', call);
    assert.is(seen.trim().split(':')[0], podIP, seen);
  });

  test('the ClusterIP, the NodePort on every node IP and the LoadBalancer EXTERNAL-IP answer, spread over both replicas', async () => {
    // From the Service range up claimed (127.96.0.0/12 by default, the next free /12 below when another cluster on this host holds it).
    const range = /ClusterIPs from ([\d.]+\/\d+)/.exec(c.output())?.[1];
    assert.ok(range, c.output());
    const { base, size } = parseCidr(range!);
    assert.ok(parseIp(clusterIP)! - base < size && parseIp(clusterIP)! >= base, `${clusterIP} in ${range}`);
    nodePort = Number(await kubectl('get', 'svc', 'backend', '-o', 'jsonpath={.spec.ports[0].nodePort}'));
    nodeIPs = (await kubectl('get', 'nodes', '-o', 'jsonpath={.items[*].status.addresses[?(@.type=="InternalIP")].address}')).split(' ');
    assert.is(nodeIPs.length, 2);
    externalIP = await eventually(() => kubectl('get', 'svc', 'backend', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'), poll);
    assert.match(externalIP, /^127\.0\.\d+\.\d+$/);
    for (const [host, port] of entrances()) {
      const seen = await eventually(async () => [...new Set(await podsAt(host, port, 6))].sort(), {
        ...poll, accept: (s) => s.length === 2, what: `${host}:${port} answered by both pods`, detail: () => c.output().slice(-2000),
      });
      assert.equal(seen, backends);
    }
  });

  test('kubectl expose --external-ip: the Service answers on its externalIP too, spread over both replicas', async () => {
    await kubectl('expose', 'deployment', 'backend', '--name=backend-ext', '--port=8081', '--target-port=http', `--external-ip=${c.externalIP}`);
    assert.is(await kubectl('get', 'svc', 'backend-ext', '-o', 'jsonpath={.spec.externalIPs[0]} {.spec.externalTrafficPolicy}'), `${c.externalIP} Cluster`);
    const seen = await eventually(async () => [...new Set(await podsAt(c.externalIP, 8081, 6))].sort(), {
      ...poll, accept: (s) => s.length === 2, what: `${c.externalIP}:8081 answered by both pods`, detail: () => c.output().slice(-2000),
    });
    assert.equal(seen, backends);
    await kubectl('delete', 'service', 'backend-ext');
    await eventually(() => podAt(c.externalIP, 8081), { accept: (r) => r === 'ECONNREFUSED', timeoutMs: 10_000, intervalMs: 100, what: 'the externalIP closed with its Service' });
  });

  test('a pod failing its readiness probe gets no new connections, then gets them again once ready', async () => {
    const [failing, healthy] = backends as [string, string];
    await kubectl('exec', failing, '--', 'touch', '/tmp/unready');
    await kubectl('wait', '--for=condition=Ready=false', `pod/${failing}`, '--timeout=30s');
    for (const [host, port] of entrances()) {
      const answered = await eventually(() => podsAt(host, port, 6), { accept: (a) => a.every((p) => p === healthy), timeoutMs: 10_000, intervalMs: 200, what: `only the ready pod answers at ${host}:${port}` });
      assert.equal(answered, Array(6).fill(healthy));
    }
    await kubectl('exec', failing, '--', 'rm', '/tmp/unready');
    await kubectl('wait', '--for=condition=Ready', `pod/${failing}`, '--timeout=30s');
    await eventually(async () => new Set(await podsAt(clusterIP, 80, 6)).size === 2, { ...poll, what: 'both pods answer again' });
  });

  test('scaling down while requests flow through the ClusterIP fails none of them', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const answers: string[] = [];
    let flowing = true;
    const loops = Array.from({ length: 4 }, async () => {
      while (flowing) answers.push(await podAt(clusterIP, 80, agent));
    });
    try {
      await eventually(() => answers.length > 50, poll);
      await kubectl('scale', 'deployment', 'backend', '--replicas=1');
      await eventually(async () => (await kubectl('get', 'pods', '-l', 'app=backend', '--no-headers')).split('\n').filter(Boolean).length === 1, poll);
      const after = answers.length;
      await eventually(() => answers.length > after + 50, poll);
    } finally {
      // A failure above must not leave the loops running: the spec would never end.
      flowing = false;
      await Promise.all(loops);
      agent.destroy();
    }
    const failed = answers.filter((a) => !backends.includes(a));
    assert.equal(failed, [], `${failed.length} of ${answers.length} requests failed`);
  });

  test('kubectl create secret tls and create ingress serve two hosts over HTTPS with their own certificates', async () => {
    const m = /ingress: http:\/\/([\d.]+):(\d+) https:\/\/[\d.]+:(\d+)/.exec(c.output());
    assert.ok(m, c.output());
    const [address, httpPort, httpsPort] = [m![1]!, m![2]!, m![3]!];
    await kubectl('create', 'deployment', 'other', '--image=kubeactor/http-echo:1.0', '--port=8080');
    await kubectl('expose', 'deployment', 'other', '--port=80', '--target-port=8080');
    const hosts = { alpha: 'backend', beta: 'other' } as const;
    for (const app of Object.keys(hosts)) {
      const host = `${app}.example.test`;
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(c.dir, `${host}.key`), '-out', join(c.dir, `${host}.crt`), '-days', '1',
        '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`], { stdio: 'ignore' });
      await kubectl('create', 'secret', 'tls', `${app}-tls`, `--cert=${join(c.dir, `${host}.crt`)}`, `--key=${join(c.dir, `${host}.key`)}`);
    }
    await kubectl('rollout', 'status', 'deployment/other', '--timeout=60s');
    assert.is(await kubectl('create', 'ingress', 'web', '--rule=alpha.example.test/*=backend:80,tls=alpha-tls', '--rule=beta.example.test/*=other:80,tls=beta-tls'), 'ingress.networking.k8s.io/web created');
    const row = await eventually(async () => {
      const r = await kubectl('get', 'ingress', 'web', '--no-headers');
      return r.includes(address) ? r : null;
    }, { timeoutMs: 20_000, intervalMs: 250 });
    assert.match(row, new RegExp(`^web\\s+kubeactor\\s+alpha\\.example\\.test,beta\\.example\\.test\\s+${address.replaceAll('.', '\\.')}\\s+80, 443\\s+\\d+s$`));
    for (const [app, svc] of Object.entries(hosts)) {
      const host = `${app}.example.test`;
      const body = await eventually(async () => {
        const b = await curl('--resolve', `${host}:${httpsPort}:${address}`, '--cacert', join(c.dir, `${host}.crt`), `https://${host}:${httpsPort}/hello?x=1`).catch(() => '');
        return b.startsWith('pod:') ? b : null;
      }, { timeoutMs: 30_000, intervalMs: 500 });
      assert.match(body, new RegExp(`^pod: ${svc}-[a-z0-9]+-[a-z0-9]+\\nrequest: GET /hello\\?x=1 HTTP/1.1\\n`));
      assert.match(body, 'x-forwarded-proto: https');
      assert.match(body, `x-forwarded-host: ${host}:${httpsPort}`);
      assert.match(body, `x-forwarded-port: ${httpsPort}`);
      // Over HTTP, with a Host header that names no port: the forwarded port is still the one connected to.
      const plain = await curl('-H', `Host: ${host}`, `http://${address}:${httpPort}/`);
      assert.match(plain, new RegExp(`^pod: ${svc}-`));
      assert.match(plain, `x-forwarded-port: ${httpPort}\n`);
    }
    // alpha's certificate does not verify beta: each host got its own.
    const wrong = await curl('--resolve', `beta.example.test:${httpsPort}:${address}`, '--cacert', join(c.dir, 'alpha.example.test.crt'), `https://beta.example.test:${httpsPort}/`)
      .then(() => 'verified', (e: { stderr?: string }) => String(e.stderr));
    assert.match(wrong, /SSL certificate problem|certificate verify failed|unable to get local issuer/);
  });

  test('deleting the Service closes its ClusterIP, NodePorts and EXTERNAL-IP', async () => {
    await kubectl('delete', 'service', 'backend');
    for (const [host, port] of entrances()) {
      await eventually(() => podAt(host, port), { accept: (r) => r === 'ECONNREFUSED', timeoutMs: 10_000, intervalMs: 100, what: `${host}:${port} refused` });
    }
  });

  test('no process outlives the cluster', async () => {
    await c.stop();
    // Every process of the spec names its directory: up, node, the sandboxes, kubectl.
    await eventually(() => processesNaming(c.dir).length === 0, { timeoutMs: 5000, what: 'no process left', detail: () => processesNaming(c.dir) });
  });
}
