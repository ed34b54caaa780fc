/**
 * `kubectl top` over real processes: `kubeactor up --default-runtime process
 * --metric-resolution 1s`, a busy-loop pod shows the CPU its processes burn (read from /proc),
 * its node the sum of its pods, and nothing outlives `up`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { eventually } from '../helpers/wait.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { processesNaming } from '../helpers/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-top-'));
const kubeconfig = join(dir, 'kubeconfig');
const kubectl = kubectlAt(kubeconfig, dir);
const sandboxes = (): number => processesNaming(join(dir, 'nodes')).length;
/** "1234m" → 1234. */
const millicores = (cell: string | undefined): number => Number(/^(\d+)m$/.exec(cell ?? '')?.[1] ?? NaN);

const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process', '--cluster-cidr', '127.247.0.0/16', '--metric-resolution', '1s']);

test('up starts metrics-server at the resolution asked for', async () => {
  await up.waitFor('ready.', 60_000);
  assert.match(up.output(), 'metrics-server: metrics.k8s.io/v1beta1 from every kubelet each 1s');
});

test('a busy-loop process pod shows the CPU it burns; its node shows at least as much', async () => {
  const applied = await kubectl.run(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: { name: busy }
spec:
  terminationGracePeriodSeconds: 1
  containers: [{ name: spin, image: busybox, command: [sh, -c, "while :; do :; done"] }]
`);
  assert.is(applied.code, 0, applied.err);
  const row = await eventually(async () => {
    const r = await kubectl.run(['top', 'pod', 'busy', '--no-headers']);
    const cells = r.out.trim().split(/\s+/);
    return r.code === 0 && millicores(cells[1]) > 0 ? cells : null;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  assert.is(row[0], 'busy');
  // One shell spinning: most of a core, never more than the machine has.
  assert.ok(millicores(row[1]) >= 100, `busy burns ${row[1]}`);
  assert.match(row[2]!, /^\d+Mi$/);
  const containers = (await kubectl.run(['top', 'pod', 'busy', '--containers', '--no-headers'])).out.trim().split(/\s+/);
  assert.equal(containers.slice(0, 2), ['busy', 'spin']);
  const node = (await kubectl.run(['top', 'node', 'node-1', '--no-headers'])).out.trim().split(/\s+/);
  assert.is(node[0], 'node-1');
  assert.ok(millicores(node[1]) >= 100, `node-1 burns ${node[1]}`);
});

test('up stops and leaves no process behind', async () => {
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  await eventually(() => sandboxes() === 0, { timeoutMs: 5000 });
  rmSync(dir, { recursive: true, force: true });
});

test.run();
