/**
 * The process-pod scenarios (process-scenarios.ts) with the node in the same process as the
 * control plane: `kubeactor up --nodes 1 --default-runtime process` and the real kubectl.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { processesNaming } from '../helpers/processes.ts';
import { processScenarios } from './process-scenarios.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-scenarios-'));

processScenarios(async () => {
  const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '1', '--default-runtime', 'process',
    '--cluster-cidr', '127.249.0.0/16', '--sync-frequency', '1s', '--allowed-host-paths', join(dir, 'host')]);
  await up.waitFor('ready.', 60_000);
  return {
    dir,
    kubectl: kubectlAt(join(dir, 'kubeconfig'), dir),
    podIP: /^127\.249\.\d+\.\d+$/,
    sandboxes: () => processesNaming(join(dir, 'nodes')).length,
    stop: async () => assert.is(await stopWithin(up, 'SIGTERM'), 0),
  };
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
