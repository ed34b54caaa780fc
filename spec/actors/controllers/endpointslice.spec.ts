import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { cluster, targets, type Cluster } from './helpers.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

const SELECT = 'kubernetes.io/service-name=web';
const slices = () => c.list<EndpointSlice>(targets.endpointslices('default'), SELECT);
const count = (ss: EndpointSlice[]) => ss.reduce((n, s) => n + (s.endpoints?.length ?? 0), 0);

async function createService(): Promise<Service> {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } };
  return (await c.h.client().must('api.create', { target: targets.services('default'), object: svc as KubeObject })).object as Service;
}

async function pod(i: number, ready = true): Promise<void> {
  const name = `web-${i}`;
  const p: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } }, spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] } };
  const created = (await c.h.client().must('api.create', { target: targets.pods('default'), object: p as KubeObject })).object as Pod;
  const status = { phase: 'Running', podIP: `10.244.${1 + (i >> 8)}.${i & 255}`, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  await c.h.client().must('api.update', { target: { ...targets.pods('default', name), subresource: 'status' }, object: { ...created, status } as KubeObject });
}

test('slices hold at most 100 endpoints, with the managed-by and service-name labels and the Service as owner', async () => {
  c = await cluster('endpointslice');
  const svc = await createService();
  for (let i = 1; i <= 250; i++) await pod(i);
  await c.advance(500);
  const ss = await slices();
  assert.equal(ss.map((s) => s.endpoints?.length ?? 0).sort((a, b) => b - a), [100, 100, 50]);
  for (const s of ss) {
    assert.is(s.addressType, 'IPv4');
    assert.is(s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.match(s.metadata?.name ?? '', /^web-[a-z0-9]{5}$/);
    const ref = s.metadata?.ownerReferences?.[0];
    assert.equal([ref?.kind, ref?.name, ref?.uid, ref?.controller], ['Service', 'web', svc.metadata?.uid, true]);
    assert.equal(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  }
  const ep = ss.flatMap((s) => s.endpoints ?? []).find((e) => e.targetRef?.name === 'web-7')!;
  assert.equal(ep.addresses, ['10.244.1.7']);
  assert.equal(ep.conditions, { ready: true, serving: true, terminating: false });
  assert.is(ep.nodeName, 'node-1');
  // Removing pods shrinks slices in place: no slice is replaced.
  const before = new Set(ss.map((s) => s.metadata?.name));
  for (let i = 1; i <= 30; i++) await c.h.client().must('api.delete', { target: targets.pods('default', `web-${i}`), options: { gracePeriodSeconds: 0 } });
  await c.advance(500);
  const after = await slices();
  assert.is(count(after), 220);
  for (const s of after) assert.ok(before.has(s.metadata?.name), 'the same slices');
});

test('conditions: not ready, and terminating (still serving) pods', async () => {
  c = await cluster('endpointslice');
  await createService();
  await pod(1, false);
  await pod(2, true);
  // A finalizer keeps the deleted pod around, terminating.
  await c.h.client().must('api.patch', { target: targets.pods('default', 'web-2'), patchType: 'merge', patch: { metadata: { finalizers: ['example.com/hold'] } } });
  await c.h.client().must('api.delete', { target: targets.pods('default', 'web-2'), options: { gracePeriodSeconds: 30 } });
  await c.advance(500);
  const eps = (await slices()).flatMap((s) => s.endpoints ?? []);
  const by = (n: string) => eps.find((e) => e.targetRef?.name === n)?.conditions;
  assert.equal(by('web-1'), { ready: false, serving: false, terminating: false });
  assert.equal(by('web-2'), { ready: false, serving: true, terminating: true });
});

test('a Service without pods keeps one empty placeholder slice; a deleted Service loses its slices', async () => {
  c = await cluster('endpointslice');
  await createService();
  await c.advance(500);
  let ss = await slices();
  assert.is(ss.length, 1);
  assert.equal([ss[0]!.endpoints ?? [], ss[0]!.ports ?? []], [[], []]);
  await pod(1);
  await c.advance(500);
  ss = await slices();
  assert.is(ss.length, 1);
  assert.is(count(ss), 1);
  await c.h.client().must('api.delete', { target: targets.services('default', 'web') });
  await c.advance(500);
  assert.is((await slices()).length, 0);
});

test.run();
