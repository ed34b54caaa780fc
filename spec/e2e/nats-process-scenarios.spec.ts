/**
 * The process-pod scenarios (process-scenarios.ts) with the node in another process over a
 * real nats-server: `kubeactor up --nodes 0` (control plane) and
 * `kubeactor node --default-runtime process`, and the real kubectl. Streams (exec, cp,
 * port-forward, logs -f, run -i) and volume refreshes cross the bus.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { natsServerConfig } from '../../bus/nats/server-config.ts';
import { runCli, stopWithin, type CliProcess } from '../helpers/cli.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { startNatsServer, type NatsServerHandle } from '../helpers/nats-server.ts';
import { processesNaming } from '../helpers/processes.ts';
import { processScenarios } from './process-scenarios.ts';

const PASS = { cp: 'cp-secret', w: 'w-secret' };
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-nats-scenarios-'));
const procs: CliProcess[] = [];
let nats: NatsServerHandle | undefined;

processScenarios(async () => {
  nats = await startNatsServer({ config: natsServerConfig({ users: [{ identity: 'control-plane', password: PASS.cp }, { identity: 'node-w', password: PASS.w }] }) });
  const up = runCli(['up', '--bus', nats.url, '--nodes', '0', '--storage', 'memory', '--data-dir', dir, '--port', '0'], { KUBEACTOR_NATS_PASS: PASS.cp });
  procs.push(up);
  await up.waitFor('ready.', 30_000);
  const node = runCli(['node', '--bus', nats.url, '--name', 'w', '--nats-pass', PASS.w, '--default-runtime', 'process', '--cluster-cidr', '127.250.0.0/16',
    '--data-dir', join(dir, 'node-data'), '--sync-frequency', '1s', '--allowed-host-paths', join(dir, 'host')]);
  procs.push(node);
  await node.waitFor('ready.', 30_000);
  assert.match(node.output(), /w: InternalIP 127\.\d+\.1\.\d+, pod range 127\.250\.\d+\.0\/24, default runtime process/);
  return {
    dir,
    kubectl: kubectlAt(join(dir, 'kubeconfig'), dir),
    podIP: /^127\.250\.\d+\.\d+$/,
    sandboxes: () => processesNaming(join(dir, 'node-data', 'nodes')).length,
    stop: async () => {
      assert.is(await stopWithin(node, 'SIGTERM'), 0);
      assert.is(await stopWithin(up, 'SIGTERM'), 0);
    },
  };
});

test.after(async () => {
  await Promise.all(procs.map((p) => stopWithin(p, 'SIGTERM', 5000)));
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
