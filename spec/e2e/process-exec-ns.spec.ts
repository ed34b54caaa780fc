/**
 * kubectl exec joins the running container, as runc exec does: it sees the container's
 * processes (its main process as PID 2 under the sandbox's init), its private /tmp, its
 * hostname, env and workingDir; an exec'd process ends with its stream and with the
 * container; exec into a container that no longer runs is kubelet's "container not found".
 * The real `kubeactor up --default-runtime process` and the real kubectl.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { eventually } from '../helpers/wait.ts';
import { processesNaming } from '../helpers/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-execns-'));
const kubeconfig = join(dir, 'kubeconfig');
const kubectl = kubectlAt(kubeconfig, dir);
const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process', '--cluster-cidr', '127.253.0.0/16']);

// Numbers no other process on the host sleeps for: how a spec finds its exec'd processes.
const MAIN = 'sleep 25301';
const EXECD = 'sleep 25302';
/** Live processes whose command line is exactly `cmd` (not the shell or kubectl that name it). */
const running = (cmd: string): number => processesNaming(cmd.split(' ')[1]!).filter((l) => l.slice(l.indexOf(': ') + 2).trim() === cmd).length;

test('kubectl exec sees the container\'s processes, its private /tmp, hostname, env and workingDir', async () => {
  await up.waitFor('ready.', 60_000);
  await kubectl.run(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: { name: box }
spec:
  terminationGracePeriodSeconds: 1
  hostname: boxhost
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    workingDir: /etc
    env: [{ name: GREETING, value: hi-from-spec }]
    command: [sh, -c, 'echo written-by-main > /tmp/own && exec ${MAIN}']
  - name: side
    image: busybox
    command: [sleep, '3600']
`);
  await kubectl('wait', '--for=condition=Ready', 'pod/box', '--timeout=60s');
  const ps = await kubectl('exec', 'box', '-c', 'main', '--', 'ps', '-o', 'pid,args');
  assert.match(ps, new RegExp(`^\\s*2 ${MAIN}$`, 'm'), ps);
  assert.is(await kubectl('exec', 'box', '-c', 'main', '--', 'cat', '/tmp/own'), 'written-by-main');
  assert.is(await kubectl('exec', 'box', '-c', 'main', '--', 'sh', '-c', 'echo $(hostname) $GREETING $(pwd)'), 'boxhost hi-from-spec /etc');
  // What one exec leaves in the container's /tmp the next one sees (kubectl cp relies on it).
  await kubectl('exec', 'box', '-c', 'main', '--', 'sh', '-c', 'echo left > /tmp/left');
  assert.is(await kubectl('exec', 'box', '-c', 'main', '--', 'cat', '/tmp/left'), 'left');
});

test('an exec\'d process ends when its kubectl goes away', async () => {
  const k = spawn('kubectl', ['--kubeconfig', kubeconfig, 'exec', 'box', '-c', 'main', '--', 'sh', '-c', `${EXECD} & ${EXECD}`], { env: { ...process.env, HOME: dir }, stdio: 'ignore' });
  await eventually(() => running(EXECD) === 2, { timeoutMs: 20_000 });
  k.kill('SIGKILL');
  await eventually(() => running(EXECD) === 0, { timeoutMs: 20_000 });
});

test('an exec\'d process ends with the container, and exec into it then is "container not found"', async () => {
  const k = spawn('kubectl', ['--kubeconfig', kubeconfig, 'exec', 'box', '-c', 'main', '--', 'sh', '-c', `${EXECD} & ${EXECD}`], { env: { ...process.env, HOME: dir }, stdio: 'ignore' });
  const ended = new Promise<number | null>((res) => k.once('exit', (code) => res(code)));
  await eventually(() => running(EXECD) === 2, { timeoutMs: 20_000 });
  // The main process ends: the sandbox's init and everything in its PID namespace with it
  // (this exec too, so its exit code is the SIGKILL's).
  await kubectl.run(['exec', 'box', '-c', 'main', '--', 'kill', '2']);
  await ended;
  await eventually(() => running(EXECD) === 0 && running(MAIN) === 0, { timeoutMs: 20_000 });
  // The pod still runs (its other container does): the exec reaches the kubelet.
  await eventually(async () => (await kubectl('get', 'pod', 'box', '-o', 'jsonpath={.status.containerStatuses[?(@.name=="main")].state.terminated.exitCode}')) !== '' || null, { timeoutMs: 20_000 });
  const r = await kubectl.run(['exec', 'box', '-c', 'main', '--', 'true']);
  assert.ok(r.code !== 0);
  assert.match(r.err, 'container not found ("main")');
});

test('no process is left behind once the pod is gone and up stops', async () => {
  await kubectl('delete', 'pod', 'box', '--wait=false');
  await eventually(() => processesNaming(join(dir, 'nodes')).length === 0, { timeoutMs: 20_000 });
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  await eventually(() => processesNaming(dir).length === 0, { timeoutMs: 5000 });
  rmSync(dir, { recursive: true, force: true });
});

test.run();
