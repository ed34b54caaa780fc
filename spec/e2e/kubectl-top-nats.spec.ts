/**
 * `kubectl top` with the kubelet in another process over NATS: `kubeactor up --bus nats://…`
 * runs metrics-server (an address the control-plane identity claims), `kubeactor node` runs
 * the kubelet, and the scrape crosses the NATS server with its schema checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { natsServerConfig } from '../../bus/nats/server-config.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { eventually } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-top-nats-'));
const PASS = { cp: 'cp-pass-top-0123456789', n1: 'n1-pass-top-0123456789' };
let nats: NatsServerHandle;
let up: CliProcess;
let node: CliProcess;

test('a sim pod on a NATS node shows its annotated usage; so does its node', async () => {
  nats = await startNatsServer({ config: natsServerConfig({ users: [{ identity: 'control-plane', password: PASS.cp }, { identity: 'node-n1', password: PASS.n1 }] }) });
  up = runCli(['up', '--bus', nats.url, '--nodes', '0', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--metric-resolution', '1s'], { KUBEACTOR_NATS_PASS: PASS.cp });
  await up.waitFor('ready.', 30_000);
  const kubeconfig = /kubeconfig: (\S+)/.exec(up.output())?.[1] ?? '';
  node = runCli(['node', '--bus', nats.url, '--name', 'n1', '--nats-pass', PASS.n1, '--default-runtime', 'sim']);
  await node.waitFor('ready.', 30_000);
  const kubectl = kubectlAt(kubeconfig, dir);
  await kubectl('run', 'p1', '--image', 'registry.k8s.io/pause:3.10', '--annotations=sim.kubeactor.io/cpu-usage=250m', '--annotations=sim.kubeactor.io/memory-usage=64Mi');
  const row = await eventually(async () => {
    const r = await kubectl.run(['top', 'pod', 'p1', '--no-headers']);
    return r.code === 0 ? r.out.trim().split(/\s+/) : null;
  }, { timeoutMs: 30_000, intervalMs: 500 });
  assert.equal(row, ['p1', '250m', '64Mi']);
  const n = (await kubectl('top', 'node', 'n1', '--no-headers')).split(/\s+/);
  assert.equal([n[0], n[1], n[3]], ['n1', '250m', '64Mi']);
});

test('the node, up and the NATS server stop', async () => {
  assert.is(await stopWithin(node, 'SIGINT'), 0);
  assert.is(await stopWithin(up, 'SIGINT'), 0);
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
