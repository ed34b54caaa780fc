/**
 * kubectl exec / cp / port-forward / run -i into process pods, end to end: the real
 * `kubeactor up --default-runtime process` and the real kubectl. A Deployment of the built-in
 * HTTP image with a ConfigMap volume and a Secret env var; no process outlives `up`.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { httpGetText } from '../helpers/http-get.ts';
import { eventually } from '../helpers/wait.ts';
import { processesNaming } from '../helpers/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-procstreams-'));
const kubeconfig = join(dir, 'kubeconfig');
const env = { ...process.env, HOME: dir };

const kubectl = kubectlAt(kubeconfig, dir);
const kubectlRun = kubectl.run;

const sandboxes = (): number => processesNaming(join(dir, 'nodes')).length;

const get = httpGetText;

const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process', '--cluster-cidr', '127.246.0.0/16']);
let pod = '';

test('a Deployment of the HTTP image with a ConfigMap volume and a Secret env var: kubectl exec reads both', async () => {
  await up.waitFor('ready.', 60_000);
  await kubectlRun(['apply', '-f', '-'], `apiVersion: v1
kind: ConfigMap
metadata: { name: web-config }
data: { greeting: "hello from the configmap" }
---
apiVersion: v1
kind: Secret
metadata: { name: web-secret }
data: { password: czNjcmV0 }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: kubeactor/http-echo:1.0
        ports: [{ containerPort: 8080 }]
        env: [{ name: PASSWORD, valueFrom: { secretKeyRef: { name: web-secret, key: password } } }]
        volumeMounts: [{ name: config, mountPath: /etc/web }]
      volumes: [{ name: config, configMap: { name: web-config } }]
`);
  await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
  pod = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}');
  assert.is(await kubectl('exec', pod, '--', 'cat', '/etc/web/greeting'), 'hello from the configmap');
  assert.is(await kubectl('exec', pod, '--', 'sh', '-c', 'echo $PASSWORD'), 's3cret');
  const failed = await kubectlRun(['exec', pod, '--', 'sh', '-c', 'echo to-stderr >&2; exit 3']);
  assert.is(failed.code, 3);
  assert.match(failed.err, 'to-stderr\ncommand terminated with exit code 3');
  const missing = await kubectlRun(['exec', pod, '--', 'nosuchtool']);
  assert.match(missing.err, 'exec: "nosuchtool": executable file not found in $PATH');
});

test('kubectl exec -it runs the command on a pty of the terminal\'s size', async () => {
  // `script` gives kubectl a terminal (of 77 columns, 22 rows) as a user's shell would.
  const line = `stty cols 77 rows 22; kubectl --kubeconfig ${kubeconfig} exec -it ${pod} -- sh -c 'tty; stty size; exit 5'`;
  const out = await new Promise<string>((resolve) => {
    const child = execFile('script', ['-qec', line, '/dev/null'], { env }, (_err, stdout) => resolve(stdout));
    child.stdin!.end();
  });
  assert.match(out, /\/dev\/pts\/\d+\r\n22 77\r\n/);
  assert.match(out, 'command terminated with exit code 5');
});

test('kubectl port-forward, then an HTTP request returns the pod\'s answer', async () => {
  const pf = spawn('kubectl', ['--kubeconfig', kubeconfig, 'port-forward', `pod/${pod}`, ':8080'], { env });
  try {
    let out = '';
    pf.stdout.on('data', (d) => (out += d));
    const local = await eventually(() => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out)?.[1], { timeoutMs: 20_000 });
    const body = await get(`http://127.0.0.1:${local}/through-kubectl`);
    assert.match(body, new RegExp(`^pod: ${pod}\nrequest: GET /through-kubectl HTTP/1.1\n`));
  } finally {
    pf.kill('SIGTERM');
  }
});

test('kubectl cp in and out of the container', async () => {
  const src = join(dir, 'in.txt');
  writeFileSync(src, 'copied in\n');
  await kubectl('cp', src, `${pod}:/tmp/in.txt`);
  assert.is(await kubectl('exec', pod, '--', 'cat', '/tmp/in.txt'), 'copied in');
  await kubectl('exec', pod, '--', 'sh', '-c', 'echo made inside > /tmp/out.txt');
  await kubectl('cp', `${pod}:/tmp/out.txt`, join(dir, 'out.txt'));
  assert.is(readFileSync(join(dir, 'out.txt'), 'utf8'), 'made inside\n');
});

test('kubectl run -i --rm feeds stdin to a busybox pod and shows its answer', async () => {
  const r = await kubectlRun(['run', '-i', '--rm', 'asker', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'read x; echo got $x'], 'hello\n');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, 'got hello');
  await eventually(async () => (await kubectl('get', 'pods', '-o', 'name')).includes('pod/asker') ? null : true, { timeoutMs: 20_000 });
});

test('kubectl run -it --rm gives a shell on a terminal', async () => {
  const line = `kubectl --kubeconfig ${kubeconfig} run -it --rm shell --image=busybox --restart=Never -- sh`;
  const out = await new Promise<string>((resolve) => {
    const child = execFile('script', ['-qec', line, '/dev/null'], { env }, (_err, stdout) => resolve(stdout));
    child.stdin!.end('echo in-$((6*7)); exit\n');
  });
  assert.match(out, 'in-42');
  assert.match(out, 'pod "shell" deleted');
});

test('no process is left behind once the Deployment is gone and up stops', async () => {
  await kubectl('delete', 'deployment', 'web');
  await eventually(() => sandboxes() === 0, { timeoutMs: 15_000 });
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  // Every process of this spec names its directory: up, the sandboxes, kubectl port-forward.
  await eventually(() => processesNaming(dir).length === 0, { timeoutMs: 5000 });
  rmSync(dir, { recursive: true, force: true });
});

test.run();
