/**
 * A process pod's service-account files, end to end: the real `kubeactor up --default-runtime
 * process` and the real kubectl. The ServiceAccount admission plugin adds the kube-api-access
 * volume; the kubelet writes the bound token, the cluster CA (kube-root-ca.crt, from the
 * root-ca-cert-publisher) and the namespace; `kubectl exec` reads them; an HTTPS request that
 * trusts only that ca.crt is answered, and kubectl with only that token and CA is the pod's
 * ServiceAccount (`auth whoami`). No process outlives `up`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { eventually } from '../helpers/wait.ts';
import { processesNaming } from '../helpers/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-procsa-'));
const kubeconfig = join(dir, 'kubeconfig');
const kubectl = kubectlAt(kubeconfig, dir);
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process', '--cluster-cidr', '127.252.0.0/16']);

/** GET `path` on the API server trusting only `ca` and sending only `token`. */
function get(path: string, ca: string, token: string): Promise<{ status: number; body: string }> {
  const server = new URL(/server:\s*(\S+)/.exec(readFileSync(kubeconfig, 'utf8'))![1]!);
  return new Promise((resolve, reject) => {
    const req = request({ host: server.hostname, port: server.port, path, ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a process pod reads its token, ca.crt and namespace, and the token authenticates it to the API', async () => {
  await up.waitFor('ready.', 60_000);
  const applied = await kubectl.run(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: { name: reader }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - { name: app, image: busybox, command: [sleep, '3600'] }
`);
  assert.is(applied.code, 0, applied.err);
  await kubectl('wait', '--for=condition=Ready', 'pod/reader', '--timeout=60s');
  const volume = await kubectl('get', 'pod', 'reader', '-o', 'jsonpath={.spec.volumes[0].name}');
  assert.match(volume, /^kube-api-access-[a-z0-9]{5}$/);
  assert.is(await kubectl('get', 'pod', 'reader', '-o', 'jsonpath={.spec.containers[0].volumeMounts[0].mountPath}'), SA_DIR);

  const cat = (file: string) => kubectl('exec', 'reader', '--', 'cat', `${SA_DIR}/${file}`);
  assert.is(await cat('namespace'), 'default');
  const ca = `${await cat('ca.crt')}\n`;
  assert.is(ca, readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), 'the CA the API serves with');
  const token = await cat('token');
  assert.is(token.split('.').length, 3, 'a JWT');
  const mode = await kubectl('exec', 'reader', '--', 'sh', '-c', `ls -lL ${SA_DIR}/token`);
  assert.match(mode, /^-rw-r--r--/, 'defaultMode 0644');

  const api = await get('/api', ca, token);
  assert.is(api.status, 200, api.body);
  // kubectl with only the pod's token and CA: who the API takes it for.
  writeFileSync(join(dir, 'pod-ca.crt'), ca);
  const whoami = await kubectl('--token', token, '--certificate-authority', join(dir, 'pod-ca.crt'), 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}');
  assert.is(whoami, 'system:serviceaccount:default:default');
  const forged = await get('/api', ca, `${token.slice(0, -4)}AAAA`);
  assert.is(forged.status, 401);
});

test('kube-root-ca.crt is in every namespace and comes back when deleted', async () => {
  await kubectl('create', 'namespace', 'team');
  const caOf = (ns: string) => kubectl.run(['get', 'configmap', 'kube-root-ca.crt', '-n', ns, '-o', 'jsonpath={.data.ca\\.crt}']);
  const want = readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8').trim();
  await eventually(async () => (await caOf('team')).out.trim() === want || undefined, { timeoutMs: 10_000, what: 'kube-root-ca.crt in team' });
  await kubectl('delete', 'configmap', 'kube-root-ca.crt', '-n', 'team');
  await eventually(async () => (await caOf('team')).out.trim() === want || undefined, { timeoutMs: 10_000, what: 'kube-root-ca.crt restored' });
});

test('no process is left behind once the pod is gone and up stops', async () => {
  await kubectl('delete', 'pod', 'reader', '--wait=false');
  await eventually(() => processesNaming(join(dir, 'nodes')).length === 0 || undefined, { timeoutMs: 15_000, what: 'no sandbox left' });
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  await eventually(() => processesNaming(dir).length === 0 || undefined, { timeoutMs: 5000, what: 'no process left' });
  rmSync(dir, { recursive: true, force: true });
});

test.run();
