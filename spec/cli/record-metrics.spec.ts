/**
 * A recorded run keeps its metrics-server: `kubeactor up --record` with a short
 * `--metric-resolution`, a sim pod reporting `sim.kubeactor.io/cpu-usage: 250m`, `kubectl top
 * pod` printing it; then `replay --verify` of the recording replays metrics-server from the
 * kubelets' recorded answers (usage is read from the host, outside the log, so the kubelets are
 * not asked again) with nothing skipped and no divergence. Real clock, every wait bounded.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliProcess } from '../helpers/cli.ts';
import { eventually } from '../helpers/wait.ts';
import { kubectlAt, type Kubectl } from '../helpers/kubectl.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-record-metrics-'));
const recording = join(dir, 'up.log');
let up: CliProcess;
let kubectl: Kubectl;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: busy
  annotations: {sim.kubeactor.io/cpu-usage: 250m, sim.kubeactor.io/memory-usage: 64Mi}
spec:
  containers: [{name: app, image: busybox, resources: {requests: {cpu: 100m}}}]
`;

test.before(async () => {
  up = runCli(['up', '--storage', 'memory', '--port', '0', '--data-dir', dir, '--nodes', '1', '--default-runtime', 'sim', '--metric-resolution', '1s', '--record', recording]);
  await up.waitFor('ready.', 30_000);
  const kubeconfig = /kubeconfig: (\S+)/.exec(up.output())?.[1];
  assert.ok(kubeconfig, `no kubeconfig line in:\n${up.output()}`);
  kubectl = kubectlAt(kubeconfig, dir);
});

test.after(async () => {
  if (up) await up.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl top reads usage in a recorded run; the recording replays metrics-server exactly', async () => {
  assert.match(up.output(), /metrics-server: metrics\.k8s\.io\/v1beta1 from every kubelet each 1s/);
  const applied = await kubectl.run(['apply', '-f', '-'], POD);
  assert.is(applied.code, 0, applied.err);
  const top = await eventually(async () => {
    const r = await kubectl.run(['top', 'pod', 'busy', '--no-headers']);
    return r.code === 0 && /^busy\s+250m\s+64Mi\s*$/.test(r.out.trim()) ? r.out : '';
  }, { intervalMs: 500, timeoutMs: 30_000, what: 'kubectl top pod busy prints 250m and 64Mi' });
  assert.match(top, /250m/);
  await up.stop();
  const replay = runCli(['replay', '--verify', recording]);
  await replay.exited();
  const out = replay.output();
  assert.not.match(out, /skipped metrics-server/, out);
  assert.match(out, /verified \d+ actor\(s\), \d+ output\(s\) matched over \d+ entries; 0 skipped; 0 divergence\(s\)/, out);
});

test.run();
