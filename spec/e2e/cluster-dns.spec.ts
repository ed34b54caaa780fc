/**
 * Cluster DNS end to end: the real `kubeactor up --default-runtime process` and the real
 * kubectl. kube-dns is a Service at the 10th address of the Service range; process pods get
 * the resolv.conf and /etc/hosts kubelet writes (read back with `kubectl exec cat`), and
 * names resolve inside the sandbox with the host's own tools (getent, python3): from a
 * ClusterFirst pod through kube-dns's ClusterIP (kube-proxy forwards it to the server), and
 * from a pod that names the server's own address (dnsPolicy None), which `--dns-address`
 * puts inside this spec's range.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { eventually } from '../helpers/wait.ts';
import { processesNaming } from '../helpers/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-dns-'));
const run = promisify(execFile);
const kubeconfig = join(dir, 'kubeconfig');
const DNS = '127.254.255.53';
async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { env: { ...process.env, HOME: dir } });
  return stdout.trim();
}
const apply = (yaml: string) => new Promise<string>((resolve, reject) => {
  const child = execFile('kubectl', ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], { env: { ...process.env, HOME: dir } }, (err, out) => (err ? reject(err) : resolve(out.trim())));
  child.stdin!.end(yaml);
});
/** A busybox pod that sleeps, with `spec` lines added (two-space indented), Ready. */
async function runSleeper(name: string, spec: string): Promise<void> {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  terminationGracePeriodSeconds: 1
  ${spec}
  containers: [{ name: app, image: busybox, command: [sleep, "3600"] }]
`);
  await kubectl('wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s');
}
const exec = (pod: string, ...cmd: string[]) => kubectl('exec', pod, '--', ...cmd);
/** getent's columns, one space apart. */
const words = (s: string): string => s.split(/\s+/).join(' ');
const sandboxes = (): number => processesNaming(join(dir, 'nodes')).length;

const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process', '--cluster-cidr', '127.254.0.0/16', '--dns-address', DNS]);
let dnsIP = '';
let kubernetesIP = '';

test('up serves kube-dns at the 10th Service address and says where it listens', async () => {
  await up.waitFor('ready.', 60_000);
  const svc = await kubectl('get', 'service', '-n', 'kube-system', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP} {range .spec.ports[*]}{.name}:{.port}/{.protocol} {end}');
  dnsIP = svc.split(' ')[0] ?? '';
  kubernetesIP = await kubectl('get', 'service', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}');
  const tenth = kubernetesIP.replace(/\d+$/, (n) => String(Number(n) + 9));
  assert.is(dnsIP, tenth);
  assert.is(svc, `${dnsIP} dns:53/UDP dns-tcp:53/TCP metrics:9153/TCP`);
  assert.match(up.output(), `dns: kube-dns ${dnsIP} (cluster.local) served at ${DNS}:53`);
  const slice = await kubectl('get', 'endpointslices', '-n', 'kube-system', '-l', 'kubernetes.io/service-name=kube-dns', '-o', 'jsonpath={.items[0].endpoints[0].addresses[0]} {.items[0].endpoints[0].conditions.ready}');
  assert.is(slice, `${DNS} true`);
});

test('a ClusterFirst pod gets the cluster resolv.conf; /etc/hosts has its FQDN and hostAliases', async () => {
  await apply(`apiVersion: v1
kind: Service
metadata: { name: web }
spec: { clusterIP: None, selector: { app: web }, ports: [{ name: http, port: 80 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: web-0, labels: { app: web } }
spec:
  hostname: web-0
  subdomain: web
  terminationGracePeriodSeconds: 1
  hostAliases: [{ ip: 127.254.255.99, hostnames: [foo.local, bar.local] }]
  containers: [{ name: app, image: busybox, command: [sleep, "3600"] }]
`);
  await kubectl('wait', '--for=condition=Ready', 'pod/web-0', '--timeout=60s');
  const ip = await kubectl('get', 'pod', 'web-0', '-o', 'jsonpath={.status.podIP}');
  assert.is(await exec('web-0', 'cat', '/etc/resolv.conf'), `search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${dnsIP}\noptions ndots:5`);
  const hosts = await exec('web-0', 'cat', '/etc/hosts');
  assert.match(hosts, /^# Kubernetes-managed hosts file.\n127\.0\.0\.1\tlocalhost\n/);
  assert.match(hosts, `\n${ip}\tweb-0.web.default.svc.cluster.local\tweb-0\n`);
  assert.match(hosts, '\n# Entries added by HostAliases.\n127.254.255.99\tfoo.local\tbar.local');
  assert.is(words(await exec('web-0', 'getent', 'hosts', 'foo.local')), '127.254.255.99 foo.local bar.local');
});

test('names resolve inside a pod through cluster DNS: Services, headless hostnames, reverse', async () => {
  await runSleeper('client', `dnsPolicy: None
  dnsConfig:
    nameservers: [${DNS}]
    searches: [default.svc.cluster.local, svc.cluster.local, cluster.local]
    options: [{ name: ndots, value: "5" }]`);
  assert.is(await exec('client', 'cat', '/etc/resolv.conf'), `search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${DNS}\noptions ndots:5`);
  const webIP = await kubectl('get', 'pod', 'web-0', '-o', 'jsonpath={.status.podIP}');
  assert.is(words(await exec('client', 'getent', 'hosts', 'kubernetes.default')), `${kubernetesIP} kubernetes.default.svc.cluster.local`);
  assert.is(words(await exec('client', 'getent', 'hosts', 'web-0.web')), `${webIP} web-0.web.default.svc.cluster.local`);
  assert.is(await exec('client', 'python3', '-c', 'import socket; print(socket.gethostbyname("kube-dns.kube-system"))'), dnsIP);
  assert.match(await exec('client', 'getent', 'hosts', dnsIP), /kube-dns\.kube-system\.svc\.cluster\.local$/);
  // A ClusterFirst pod asks kube-dns's ClusterIP, which kube-proxy forwards to the server.
  assert.is(words(await exec('web-0', 'getent', 'hosts', 'kubernetes.default')), `${kubernetesIP} kubernetes.default.svc.cluster.local`);
  assert.is(words(await exec('web-0', 'getent', 'hosts', 'client.default.pod.cluster.local').catch(() => 'none')), 'none', 'pod names are dashed IPs');
  const clientIP = await kubectl('get', 'pod', 'client', '-o', 'jsonpath={.status.podIP}');
  assert.is(words(await exec('web-0', 'getent', 'hosts', `${clientIP.replaceAll('.', '-')}.default.pod.cluster.local`)), `${clientIP} ${clientIP.replaceAll('.', '-')}.default.pod.cluster.local`);
  const missing = await exec('client', 'getent', 'hosts', 'nosuch.default.svc.cluster.local').then(() => 'found', (e: { code?: number }) => `exit ${e.code}`);
  assert.is(missing, 'exit 2');
});

test('dnsPolicy Default gives the host\'s resolv.conf; up leaves no process behind', async () => {
  await runSleeper('hosty', 'dnsPolicy: Default');
  const servers = readFileSync('/etc/resolv.conf', 'utf8').split('\n').filter((l) => l.startsWith('nameserver'));
  const got = (await exec('hosty', 'cat', '/etc/resolv.conf')).split('\n').filter((l) => l.startsWith('nameserver'));
  assert.equal(got, servers.map((l) => l.replace(/\s+/g, ' ')));
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  await eventually(() => sandboxes() === 0, { timeoutMs: 5000 });
  rmSync(dir, { recursive: true, force: true });
});

test.run();
