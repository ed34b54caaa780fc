/**
 * The Service-path scenarios (service-path-scenarios.ts) with the nodes in another process over
 * a real nats-server: `kubeactor up --nodes 0` (control plane, cluster DNS, load balancers,
 * ingress controller) and `kubeactor node --count 2 --default-runtime process` (kubelets and
 * their kube-proxies), the real kubectl, curl and HTTP requests. The node process takes its
 * clusterDNS from the kube-dns Service. This spec's pods use 127.255.16.0/20.
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
import { servicePathScenarios } from './service-path-scenarios.ts';

const PASS = { cp: 'cp-secret', nodes: 'nodes-secret' };
const dir = mkdtempSync(join(tmpdir(), 'kubeactor-nats-svcpath-'));
const procs: CliProcess[] = [];
let nats: NatsServerHandle | undefined;

servicePathScenarios(async () => {
  nats = await startNatsServer({ config: natsServerConfig({ users: [{ identity: 'control-plane', password: PASS.cp }, { identity: 'nodes', password: PASS.nodes }] }) });
  // A Service range other than the default one, so a node that assumed the default's 10th address for clusterDNS would be caught.
  const up = runCli(['up', '--bus', nats.url, '--nodes', '0', '--storage', 'memory', '--data-dir', dir, '--port', '0', '--service-cluster-ip-range', '127.31.0.0/16',
    '--ingress-http-port', '0', '--ingress-https-port', '0'],
    { KUBEACTOR_NATS_PASS: PASS.cp });
  procs.push(up);
  await up.waitFor('ready.', 30_000);
  const node = runCli(['node', '--bus', nats.url, '--name', 'w', '--count', '2', '--default-runtime', 'process', '--cluster-cidr', '127.255.16.0/20',
    '--data-dir', join(dir, 'node-data')], { KUBEACTOR_NATS_PASS: PASS.nodes });
  procs.push(node);
  await node.waitFor('ready.', 30_000);
  // No --cluster-dns: the kubelets name the ClusterIP of the kube-dns Service up published, in the Service range up claimed.
  const dnsIP = /dns: kube-dns ([\d.]+) /.exec(up.output())?.[1];
  assert.ok(dnsIP, up.output());
  assert.match(node.output(), `cluster DNS: ${dnsIP} (the kube-dns Service's ClusterIP)`);
  assert.match(node.output(), /w-2: InternalIP 127\.\d+\.1\.\d+, pod range 127\.255\.(1[6-9]|2\d|3[01])\.0\/24, default runtime process/);
  return {
    dir,
    kubectl: kubectlAt(join(dir, 'kubeconfig'), dir),
    output: () => up.output(),
    externalIP: '127.246.9.2',
    stop: async () => {
      assert.is(await stopWithin(node, 'SIGTERM'), 0);
      assert.is(await stopWithin(up, 'SIGTERM'), 0);
      // Stopped by PID; its command line names its store directory.
      const store = nats!.storeDir;
      await nats!.stop();
      assert.equal(processesNaming(store), [], 'the nats-server is gone');
    },
  };
});

test.after(async () => {
  await Promise.all(procs.map((p) => stopWithin(p, 'SIGTERM', 5000)));
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
