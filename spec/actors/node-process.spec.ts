/**
 * A node process's clusterDNS (what `kubeactor node` runs with unless --cluster-dns is given):
 * `clusterDNS: 'kube-dns'` reads the ClusterIP of the kube-system/kube-dns Service from the
 * apiserver, also when the Service appears only after the node process started (`up` publishes
 * it as it starts, a node may list the Nodes first), and a given list is used as it is. On the
 * in-process bus with a memory control plane; sim nodes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Service } from 'kubernetes-types/core/v1.js';
import { InProcessBus } from '../../bus/inprocess.ts';
import { startControlPlane } from '../../actors/cluster.ts';
import { ApiClient, targets } from '../../actors/client/index.ts';
import { silentLogger } from '../../actors/logger.ts';
import { startNodeProcess } from '../../actors/node-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-node-process-'));

const kubeDns: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kube-dns', namespace: 'kube-system' },
  spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
};

test('clusterDNS kube-dns: the ClusterIP of the kube-dns Service, created after the node process started', async () => {
  const bus = new InProcessBus();
  const cp = await startControlPlane({ bus, storage: 'memory', dataDir: dir, logger: silentLogger });
  try {
    const api = new ApiClient(bus.register('spec.client', () => undefined));
    const starting = startNodeProcess({ bus, names: ['n1'], clusterDNS: 'kube-dns', logger: silentLogger });
    await new Promise((r) => setTimeout(r, 300));
    const created = await api.create(targets.services('kube-system'), kubeDns);
    assert.ok(created.ok, JSON.stringify(created));
    const nodes = await starting;
    assert.equal(nodes.clusterDNS, [created.ok ? created.value.object.spec?.clusterIP : '']);
    await nodes.stop();
  } finally {
    await cp.stop();
  }
});

test('a clusterDNS given is used as it is, without asking the apiserver', async () => {
  const bus = new InProcessBus();
  const cp = await startControlPlane({ bus, storage: 'memory', dataDir: dir, logger: silentLogger });
  const asked: string[] = [];
  bus.tap((env) => {
    if (env.type === 'api.get') asked.push(JSON.stringify(env.payload));
  });
  try {
    const nodes = await startNodeProcess({ bus, names: ['n1'], clusterDNS: ['127.243.0.53'], logger: silentLogger });
    assert.equal(nodes.clusterDNS, ['127.243.0.53']);
    assert.equal(asked.filter((a) => a.includes('"services"')), []);
    await nodes.stop();
  } finally {
    await cp.stop();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
