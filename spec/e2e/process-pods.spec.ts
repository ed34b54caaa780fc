/**
 * Process pods end to end: the real `kubeactor up --default-runtime process` and the real
 * kubectl. A pod of the built-in HTTP image answers a real request on its pod IP, its logs
 * come from the process, a busybox pod runs on the `sim` RuntimeClass instead when it asks, a
 * failing one reports its exit code, and no process outlives its pod or `up`. The scenarios of
 * issue 11's "Done when" are in process-scenarios.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { httpGetText } from '../helpers/http-get.ts';
import { eventually } from '../helpers/wait.ts';
import { processesNaming } from '../helpers/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-procpods-'));
const run = promisify(execFile);
const kubeconfig = join(dir, 'kubeconfig');
async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { env: { ...process.env, HOME: dir } });
  return stdout.trim();
}
/** The events about `pod`, one `Reason: message` a line. */
const eventsOf = (pod: string) =>
  kubectl('get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
const apply = (yaml: string) => new Promise<string>((resolve, reject) => {
  const child = execFile('kubectl', ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], { env: { ...process.env, HOME: dir } }, (err, out) => (err ? reject(err) : resolve(out.trim())));
  child.stdin!.end(yaml);
});

const sandboxes = (): number => processesNaming(join(dir, 'nodes')).length;

const get = httpGetText;

const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process', '--cluster-cidr', '127.245.0.0/16']);

test('up says which runtime is the default and that limits are not enforced without cgroup v2', async () => {
  await up.waitFor('ready.', 60_000);
  assert.match(up.output(), 'default runtime process; RuntimeClasses sim and process');
  assert.match(await kubectl('get', 'runtimeclasses', '-o', 'custom-columns=NAME:.metadata.name,HANDLER:.handler', '--no-headers'), /process\s+process\nsim\s+sim/);
  const describe = await kubectl('describe', 'node', 'node-1');
  assert.match(describe, 'kubeactor-process://0.1.0');
  if (!readdirSync('/sys/fs/cgroup').includes('cgroup.controllers')) {
    assert.match(up.output(), 'cgroup v1 only');
    assert.match(describe, /ResourceLimitsNotEnforced\s+True/);
  }
});

test('a pod of the built-in HTTP image answers on its pod IP; kubectl logs shows what it printed', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: echo }
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: web
    image: kubeactor/http-echo:1.0
    ports: [{ name: http, containerPort: 8080 }]
    readinessProbe: { httpGet: { port: http, path: /ready }, periodSeconds: 1 }
`);
  await kubectl('wait', '--for=condition=Ready', 'pod/echo', '--timeout=60s');
  const ip = await kubectl('get', 'pod', 'echo', '-o', 'jsonpath={.status.podIP}');
  assert.match(ip, /^127\.245\.0\.\d+$/);
  const body = await get(`http://${ip}:8080/hi`);
  assert.match(body, /^pod: echo\nrequest: GET \/hi HTTP\/1.1\n/);
  assert.match(await kubectl('logs', 'echo'), `http-echo listening on ${ip}:8080`);
  assert.ok(sandboxes() > 0);
});

test('runtimeClassName sim runs the pod without a process; an unknown RuntimeClass is an event', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: simmed }
spec:
  runtimeClassName: sim
  containers: [{ name: app, image: busybox, command: [sleep, "3600"] }]
`);
  await kubectl('wait', '--for=condition=Ready', 'pod/simmed', '--timeout=60s');
  assert.match(await kubectl('get', 'pod', 'simmed', '-o', 'jsonpath={.status.containerStatuses[0].containerID}'), /^sim:\/\//);
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: gvisor }
spec:
  runtimeClassName: gvisor
  containers: [{ name: app, image: busybox }]
`);
  const events = await eventually(() => eventsOf('gvisor'), { accept: (e) => e.includes('RuntimeClass'), timeoutMs: 20_000, intervalMs: 250 });
  assert.match(events, 'Failed to create pod sandbox: RuntimeClass "gvisor" not found');
  await kubectl('delete', 'pod', 'simmed', 'gvisor', '--wait=false');
});

test('a failing container reports its exit code and termination message', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: broken }
spec:
  restartPolicy: Never
  containers: [{ name: app, image: busybox, command: [sh, -c, "echo bad config > /dev/termination-log; exit 3"] }]
`);
  const term = await eventually(async () => {
    const t = await kubectl('get', 'pod', 'broken', '-o', 'jsonpath={.status.phase} {.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.message}');
    return t.startsWith('Failed') ? t : null;
  }, { timeoutMs: 30_000, intervalMs: 250 });
  assert.is(term, 'Failed 3 Error bad config');
  await kubectl('delete', 'pod', 'broken', '--wait=false');
});

test('a deleted pod\'s processes end within its grace period; up leaves none behind when it stops', async () => {
  await kubectl('delete', 'pod', 'echo', '--timeout=30s');
  await eventually(() => sandboxes() === 0, { timeoutMs: 7000 });
  await apply(`apiVersion: v1
kind: Pod
metadata: { name: sleeper }
spec:
  containers: [{ name: app, image: busybox, command: [sh, -c, "sleep 3600 & sleep 3600 & wait"] }]
`);
  await kubectl('wait', '--for=condition=Ready', 'pod/sleeper', '--timeout=60s');
  assert.ok(sandboxes() > 0);
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  await eventually(() => sandboxes() === 0, { timeoutMs: 5000 });
  rmSync(dir, { recursive: true, force: true });
});

test.run();
