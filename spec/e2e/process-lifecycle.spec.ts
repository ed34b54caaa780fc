/**
 * Container start as kubelet has it, on process pods with the real kubectl: a postStart exec
 * hook runs inside the container before it counts as Running (the file it wrote is there for
 * `kubectl exec`), a failing one is FailedPostStartHook and a restart, and a command that
 * does not exist is a terminated StartError (exit code 128) followed by CrashLoopBackOff.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { eventually } from '../helpers/wait.ts';
import { processesNaming } from '../helpers/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-proclife-'));
const kubectl = kubectlAt(join(dir, 'kubeconfig'), dir);
const sandboxes = (): number => processesNaming(join(dir, 'nodes')).length;
const eventsOf = (pod: string) =>
  kubectl('get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
const poll = { timeoutMs: 45_000, intervalMs: 250 };

const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process', '--cluster-cidr', '127.248.0.0/16']);

test('a postStart exec hook runs in the container before it is Running; a failing one restarts it', async () => {
  await up.waitFor('ready.', 60_000);
  const applied = await kubectl.run(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: { name: hooked }
spec:
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "sleep 3600"]
    lifecycle:
      postStart: { exec: { command: [sh, -c, "echo hooked at start > /tmp/poststart"] } }
---
apiVersion: v1
kind: Pod
metadata: { name: badhook }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "sleep 3600"]
    lifecycle:
      postStart: { exec: { command: [sh, -c, "exit 7"] } }
`);
  assert.is(applied.code, 0, applied.err);
  await kubectl('wait', '--for=condition=Ready', 'pod/hooked', '--timeout=60s');
  assert.is(await kubectl('exec', 'hooked', '--', 'cat', '/tmp/poststart'), 'hooked at start');

  const events = await eventually(() => eventsOf('badhook'), { ...poll, accept: (e) => e.includes('FailedPostStartHook') });
  assert.match(events, 'FailedPostStartHook: PostStartHook failed');
  assert.match(events, 'Killing: FailedPostStartHook');
  await eventually(async () => Number(await kubectl('get', 'pod', 'badhook', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}')) >= 1, poll);
  assert.is(await kubectl('get', 'pod', 'badhook', '-o', 'jsonpath={.status.containerStatuses[0].ready}'), 'false');
  await kubectl('delete', 'pod', 'hooked', 'badhook', '--wait=false');
});

test('a command that does not exist is a terminated StartError with exit code 128, then CrashLoopBackOff', async () => {
  await kubectl('run', 'nope', '--image=busybox', '--command', '--', 'no-such-command', 'x');
  const last = await eventually(
    () => kubectl('get', 'pod', 'nope', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.reason} {.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].state.waiting.reason}'),
    { ...poll, accept: (s) => s.endsWith('CrashLoopBackOff') },
  );
  assert.is(last, 'StartError 128 CrashLoopBackOff');
  const message = await kubectl('get', 'pod', 'nope', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.message}');
  assert.match(message, 'no-such-command');
  assert.match(await eventsOf('nope'), /Failed: Error: .*no-such-command/);
  await kubectl('delete', 'pod', 'nope', '--wait=false');
});

test('an emptyDir of medium Memory is a tmpfs (on the host\'s /dev/shm), gone with its pod', async () => {
  await kubectl.run(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: { name: shm }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "echo in memory > /cache/f; sleep 3600"]
    volumeMounts: [{ name: cache, mountPath: /cache }]
  volumes: [{ name: cache, emptyDir: { medium: Memory, sizeLimit: 1Mi } }]
`);
  await kubectl('wait', '--for=condition=Ready', 'pod/shm', '--timeout=60s');
  assert.is(await kubectl('exec', 'shm', '--', 'stat', '-f', '-c', '%T', '/cache'), 'tmpfs');
  assert.is(await kubectl('exec', 'shm', '--', 'cat', '/cache/f'), 'in memory');
  const uid = await kubectl('get', 'pod', 'shm', '-o', 'jsonpath={.metadata.uid}');
  assert.ok(existsSync(`/dev/shm/kubeactor-pods/${uid}/cache/f`));
  await kubectl('delete', 'pod', 'shm', '--timeout=30s');
  await eventually(() => !existsSync(`/dev/shm/kubeactor-pods/${uid}`), { timeoutMs: 10_000 });
});

test('no process is left behind once up stops', async () => {
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  await eventually(() => sandboxes() === 0, { timeoutMs: 5000 });
  rmSync(dir, { recursive: true, force: true });
});

test.run();
