/**
 * `kubeactor up --workers 2`: the control plane on the main thread, four kubelets (with their
 * pods, sim runtime and kube-proxies) in two worker threads of the same process, joined by the
 * worker-threads bus. The real kubectl drives it; `up` stops cleanly with no thread left.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { eventually } from '../helpers/wait.ts';

const home = mkdtempSync(join(tmpdir(), 'kubeactor-workers-'));

test('up --workers 2 runs a Deployment\'s pods on nodes of both workers; logs and get nodes work; up exits cleanly', async () => {
  const dir = join(home, 'data');
  const up = runCli(['up', '--data-dir', dir, '--storage', 'memory', '--port', '0', '--nodes', '4', '--workers', '2', '--default-runtime', 'sim']);
  const pid = up.child.pid!;
  try {
    await up.waitFor('ready.', 60_000);
    const out = up.output();
    assert.match(out, 'kubeactor: bus: worker threads (the control plane on the main thread, the nodes in 2 workers)');
    assert.match(out, 'kubeactor: worker 1: node-1, node-2');
    assert.match(out, 'kubeactor: worker 2: node-3, node-4');
    const kubectl = kubectlAt(join(dir, 'kubeconfig'), home);
    await kubectl('wait', '--for=condition=Ready', 'node', '--all', '--timeout=30s');
    assert.match(await kubectl('get', 'nodes'), /node-1\s+Ready[\s\S]*node-2\s+Ready[\s\S]*node-3\s+Ready[\s\S]*node-4\s+Ready/);
    assert.is(await kubectl('create', 'deployment', 'web', '--image=nginx', '--replicas=8'), 'deployment.apps/web created');
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    const placed = (await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {.status.phase}{"\\n"}{end}')).split('\n');
    assert.is(placed.length, 8);
    assert.ok(placed.every((l) => / Running$/.test(l)), placed.join('\n'));
    const nodes = new Set(placed.map((l) => l.split(' ')[0]));
    assert.ok([...nodes].some((n) => n === 'node-1' || n === 'node-2'), `a pod in worker 1: ${[...nodes]}`);
    assert.ok([...nodes].some((n) => n === 'node-3' || n === 'node-4'), `a pod in worker 2: ${[...nodes]}`);
    // Logs come from the kubelet in a worker thread, over the bus, through the apiserver's front.
    const pod = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}');
    const logs = await kubectl.run(['logs', pod]);
    assert.is(logs.code, 0, logs.err);
    // A pod deleted is stopped by its kubelet in the worker, and replaced.
    await kubectl('delete', 'pod', pod, '--timeout=30s');
    await eventually(async () => (await kubectl('get', 'deploy', 'web', '-o', 'jsonpath={.status.readyReplicas}')) === '8', { timeoutMs: 30_000, intervalMs: 200, what: '8 ready replicas again' });
  } finally {
    assert.is(await stopWithin(up, 'SIGTERM'), 0, up.output());
  }
  assert.match(up.output(), 'kubeactor: stopped');
  assert.not.match(up.output(), 'terminated', 'every worker thread ended by itself');
  assert.throws(() => process.kill(pid, 0), /ESRCH/, `process ${pid} is gone`);
});

test('--workers is refused where it cannot work', async () => {
  for (const [args, msg] of [
    [['--nodes', '1', '--workers', '2'], '--workers 2 needs at least as many nodes (--nodes 1)'],
    [['--nodes', '2', '--workers', '2', '--record', join(home, 'r.log')], '--workers cannot be combined with --record'],
  ] as const) {
    const p = runCli(['up', '--data-dir', join(home, 'refused'), '--storage', 'memory', '--port', '0', '--default-runtime', 'sim', ...args]);
    assert.is(await p.exited(), 2, p.output());
    assert.match(p.output(), msg);
  }
});

test.after(() => rmSync(home, { recursive: true, force: true }));

test.run();
