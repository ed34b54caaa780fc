/**
 * The Service-path scenarios (service-path-scenarios.ts) with both nodes in the control plane's
 * process: `kubeactor up --nodes 2 --default-runtime process`, the real kubectl, curl and HTTP
 * requests. This spec's pods use 127.255.0.0/20.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, stopWithin } from '../helpers/cli.ts';
import { kubectlAt } from '../helpers/kubectl.ts';
import { servicePathScenarios } from './service-path-scenarios.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-svcpath-'));

servicePathScenarios(async () => {
  const up = runCli(['up', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--nodes', '2', '--default-runtime', 'process',
    '--cluster-cidr', '127.255.0.0/20', '--ingress-http-port', '0', '--ingress-https-port', '0']);
  await up.waitFor('ready.', 60_000);
  assert.match(up.output(), 'kube-proxy: on every node');
  return {
    dir,
    kubectl: kubectlAt(join(dir, 'kubeconfig'), dir),
    output: () => up.output(),
    externalIP: '127.246.9.1',
    stop: async () => assert.is(await stopWithin(up, 'SIGTERM'), 0),
  };
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
