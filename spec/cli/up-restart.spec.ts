import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';

const run = promisify(execFile);
const home = mkdtempSync(join(tmpdir(), 'kubeactor-restart-'));
/** The real kubectl, asynchronously (a blocking call would stall the child's pipes). */
async function kubectl(kubeconfig: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { env: { ...process.env, HOME: home } });
  return stdout.trim();
}

/** Stops `p` by PID with SIGTERM and checks it exited cleanly and is gone. */
async function stopAndCheckGone(p: CliProcess): Promise<void> {
  const pid = p.child.pid!;
  assert.is(await stopWithin(p, 'SIGTERM'), 0);
  assert.throws(() => process.kill(pid, 0), /ESRCH/, `process ${pid} is gone`);
}

const NODE_ROWS = 'jsonpath={range .items[*]}{.metadata.name} {.spec.podCIDR} {.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}';

test('up --nodes 3 restarted on its data dir gets node-1..node-3 back, Ready, with their ranges and IPs, and their pods (running or terminating)', async () => {
  const dir = join(home, 'data');
  const kubeconfig = join(dir, 'kubeconfig');
  // Address claims of its own: between the stop and the restart, a cluster another spec starts
  // would otherwise take the range the first process just released (the restart then warns and
  // moves, as it should, and this check of what a data dir remembers could not be made).
  const claims = { KUBEACTOR_CIDR_CLAIMS: join(home, 'claims') };
  const first = runCli(['up', '--data-dir', dir, '--port', '0', '--nodes', '3', '--default-runtime', 'sim'], claims);
  await first.waitFor('ready.');
  const firstRange = /nodes: node-1, node-2, node-3 \(default runtime sim; RuntimeClasses sim and process; pod range (127\.\d+\.0\.0\/16)\)/.exec(first.output())?.[1];
  assert.ok(firstRange, first.output());
  await kubectl(kubeconfig, 'run', 'p1', '--image=nginx');
  // p2 ignores SIGTERM: deleted with a 5 s grace just before the stop, it is Terminating when the cluster goes down.
  await kubectl(kubeconfig, 'run', 'p2', '--image=nginx', '--annotations=sim.kubeactor.io/ignore-sigterm=true',
    '--overrides={"spec":{"terminationGracePeriodSeconds":5}}');
  await kubectl(kubeconfig, 'wait', '--for=condition=Ready', 'pod/p1', 'pod/p2', '--timeout=20s');
  await kubectl(kubeconfig, 'delete', 'pod', 'p2', '--wait=false');
  assert.ok(await kubectl(kubeconfig, 'get', 'pod', 'p2', '-o', 'jsonpath={.metadata.deletionTimestamp}'), 'p2 is Terminating');
  const nodesBefore = await kubectl(kubeconfig, 'get', 'nodes', '-o', NODE_ROWS);
  const boundTo = await kubectl(kubeconfig, 'get', 'pod', 'p1', '-o', 'jsonpath={.spec.nodeName}');
  assert.match(boundTo, /^node-[123]$/);
  await stopAndCheckGone(first);

  const second = runCli(['up', '--data-dir', dir, '--port', '0', '--nodes', '3', '--default-runtime', 'sim'], claims);
  try {
    await second.waitFor('ready.');
    // The restarted cluster keeps its pod range (remembered in the data dir), so its pods keep their IPs.
    assert.match(second.output(), `nodes: node-1, node-2, node-3 (default runtime sim; RuntimeClasses sim and process; pod range ${firstRange})`);
    // Exactly the same Nodes, with the same pod ranges and InternalIPs.
    assert.is(await kubectl(kubeconfig, 'get', 'nodes', '-o', NODE_ROWS), nodesBefore);
    assert.equal(nodesBefore.split('\n').map((l) => l.split(' ')[0]), ['node-1', 'node-2', 'node-3']);
    await kubectl(kubeconfig, 'wait', '--for=condition=Ready', 'node', '--all', '--timeout=20s');
    // The pod's kubelet has it again: Ready on the same node, its logs served, and a delete completes
    // (a pod on a node without its kubelet would stay Terminating).
    await kubectl(kubeconfig, 'wait', '--for=condition=Ready', 'pod/p1', '--timeout=20s');
    assert.is(await kubectl(kubeconfig, 'get', 'pod', 'p1', '-o', 'jsonpath={.spec.nodeName} {.status.phase}'), `${boundTo} Running`);
    await kubectl(kubeconfig, 'logs', 'p1');
    assert.match(await kubectl(kubeconfig, 'delete', 'pod', 'p1', '--timeout=20s'), 'pod "p1" deleted');
    // The pod that was Terminating is finished by its kubelet, not left Terminating.
    await kubectl(kubeconfig, 'wait', '--for=delete', 'pod/p2', '--timeout=30s');
  } finally {
    await stopAndCheckGone(second);
  }
});

test.after(() => rmSync(home, { recursive: true, force: true }));

test.run();
