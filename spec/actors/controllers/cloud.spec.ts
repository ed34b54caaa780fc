import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { AddressPool } from '../../../actors/controllers/cloud-service/pool.ts';
import { cluster, targets, type Cluster } from './helpers.ts';

let c: Cluster | undefined;
test.after.each(async () => {
  await c?.close();
  c = undefined;
});

const service = (name: string, type: string, extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type, selector: { app: name }, ports: [{ port: 80 }], ...extra } }) as KubeObject;
const ingress = async (name: string) => ((await c!.get<Service>(targets.services('default', name)))!.status?.loadBalancer?.ingress ?? []).map((i) => i.ip);

test('the pool hands out loopback addresses lowest first, skips the network address and reuses freed ones', () => {
  const pool = new AddressPool('127.0.2.0/30');
  assert.is(pool.allocate('a'), '127.0.2.1');
  assert.is(pool.allocate('b'), '127.0.2.2');
  assert.is(pool.allocate('c'), null, 'a /30 has two hosts');
  assert.is(pool.allocate('a'), '127.0.2.1', 'stable for its holder');
  assert.is(pool.release('a'), '127.0.2.1');
  assert.is(pool.allocate('c'), '127.0.2.1');
  assert.is(pool.allocate('d', '127.0.1.5'), null, 'outside the pool');
});

test('a LoadBalancer Service gets an EXTERNAL-IP, with events; switching to ClusterIP takes it away', async () => {
  c = await cluster('cloud-service');
  await c.h.client().must('api.create', { target: targets.services('default'), object: service('web', 'LoadBalancer') });
  await c.h.client().must('api.create', { target: targets.services('default'), object: service('api', 'LoadBalancer') });
  await c.h.client().must('api.create', { target: targets.services('default'), object: service('internal', 'ClusterIP') });
  await c.advance(500);
  const web = await ingress('web');
  const api = await ingress('api');
  assert.equal([...web, ...api].sort(), ['127.0.2.1', '127.0.2.2']);
  assert.equal(await ingress('internal'), []);
  const reasons = (await c.list<{ reason: string; involvedObject: { name: string }; source?: { component?: string } }>(targets.events('default')))
    .filter((e) => e.involvedObject.name === 'web')
    .map((e) => e.reason);
  assert.equal(reasons, ['EnsuringLoadBalancer', 'EnsuredLoadBalancer']);

  // Kubernetes drops nodePorts and externalTrafficPolicy on a type change itself; this apiserver does not yet.
  await c.h.client().must('api.patch', { target: targets.services('default', 'web'), patchType: 'merge', patch: { spec: { type: 'ClusterIP', externalTrafficPolicy: null, ports: [{ port: 80 }] } } });
  await c.advance(500);
  assert.equal(await ingress('web'), []);
  // The freed address goes to the next Service that asks.
  await c.h.client().must('api.create', { target: targets.services('default'), object: service('next', 'LoadBalancer') });
  await c.advance(500);
  assert.equal(await ingress('next'), web);
});

test('a deleted Service frees its address; loadBalancerClass Services are left to their owner', async () => {
  c = await cluster('cloud-service');
  await c.h.client().must('api.create', { target: targets.services('default'), object: service('a', 'LoadBalancer') });
  await c.h.client().must('api.create', { target: targets.services('default'), object: service('other', 'LoadBalancer', { loadBalancerClass: 'example.com/lb' }) });
  await c.advance(500);
  assert.equal(await ingress('a'), ['127.0.2.1']);
  assert.equal(await ingress('other'), []);
  await c.h.client().must('api.delete', { target: targets.services('default', 'a') });
  await c.h.client().must('api.create', { target: targets.services('default'), object: service('b', 'LoadBalancer') });
  await c.advance(500);
  assert.equal(await ingress('b'), ['127.0.2.1']);
});

test('the node controller sets providerID once and keeps the addresses with a Hostname', async () => {
  c = await cluster('cloud-node', { nodes: 2 });
  await c.advance(1000);
  const nodes = await c.list<Node>(targets.nodes());
  assert.is(nodes.length, 2);
  for (const n of nodes) {
    assert.is(n.spec?.providerID, `kubeactor://${n.metadata?.name}`);
    const addrs = n.status?.addresses ?? [];
    assert.ok(addrs.some((a) => a.type === 'InternalIP' && a.address.startsWith('127.0.1.')), JSON.stringify(addrs));
    assert.ok(addrs.some((a) => a.type === 'Hostname'));
  }
});

test.run();
