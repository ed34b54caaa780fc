/**
 * `kubectl top` with the kubelets in worker threads (`kubeactor up --workers 1`): the
 * metrics-server on the main thread scrapes them across the thread boundary, where every
 * `kubelet.stats` answer is checked against the catalogue's schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { eventually } from '../helpers/wait.ts';
import { kubectlAt } from '../helpers/kubectl.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-top-workers-'));
const kubeconfig = join(dir, 'kubeconfig');
const kubectl = kubectlAt(kubeconfig, dir);

const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '2', '--workers', '1', '--metric-resolution', '1s']);

test('sim pods on worker-thread kubelets show their annotated usage; both nodes are listed', async () => {
  await up.waitFor('ready.', 60_000);
  const applied = await kubectl.run(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations: {sim.kubeactor.io/cpu-usage: 250m, sim.kubeactor.io/memory-usage: 64Mi}
spec:
  runtimeClassName: sim
  containers: [{ name: app, image: nginx:1.27 }]
`);
  assert.is(applied.code, 0, applied.err);
  const row = await eventually(async () => {
    const r = await kubectl.run(['top', 'pod', 'web', '--no-headers']);
    return r.code === 0 ? r.out.trim().split(/\s+/) : null;
  }, { timeoutMs: 30_000, intervalMs: 500 });
  assert.equal(row, ['web', '250m', '64Mi']);
  const nodes = await eventually(async () => {
    const r = await kubectl.run(['top', 'nodes', '--no-headers']);
    const names = r.out.trim().split('\n').map((l) => l.split(/\s+/)[0]);
    return r.code === 0 && names.length === 2 ? names : null;
  }, { timeoutMs: 30_000, intervalMs: 500 });
  assert.equal(nodes, ['node-1', 'node-2']);
});

test('up stops', async () => {
  assert.is(await stopWithin(up, 'SIGTERM'), 0);
  rmSync(dir, { recursive: true, force: true });
});

test.run();
