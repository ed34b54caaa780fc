import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, type Harness } from './harness.ts';
import type { KubeObject } from '../../../bus/catalogue/api.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

const svc = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
});
type Spec = { clusterIP: string; clusterIPs: string[]; ports: { nodePort?: number }[] };

test('cluster IPs come from the default service range 127.96.0.0/12 and are released on delete', async () => {
  const c = h.client();
  const a = (await c.must('api.create', { target: t.svc(), object: svc('a') })).object.spec as Spec;
  assert.match(a.clusterIP, /^127\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
  assert.equal(a.clusterIPs, [a.clusterIP]);
  const taken = await c.call('api.create', { target: t.svc(), object: svc('b', { clusterIP: a.clusterIP }) });
  assert.ok(!taken.ok && taken.status.code === 422);
  assert.match(!taken.ok ? taken.status.message : '', /provided IP is already allocated/);
  await c.must('api.delete', { target: t.svc('default', 'a') });
  const reuse = (await c.must('api.create', { target: t.svc(), object: svc('b', { clusterIP: a.clusterIP }) })).object.spec as Spec;
  assert.is(reuse.clusterIP, a.clusterIP);
  const out = await c.call('api.create', { target: t.svc(), object: svc('c', { clusterIP: '192.168.0.1' }) });
  assert.ok(!out.ok && out.status.code === 422);
});

test('headless services get no IP', async () => {
  const s = (await h.client().must('api.create', { target: t.svc(), object: svc('h', { clusterIP: 'None' }) })).object.spec as Spec;
  assert.is(s.clusterIP, 'None');
});

test('node ports in 30000-32767; explicit values honoured or 422; released on delete', async () => {
  const c = h.client();
  const a = (await c.must('api.create', { target: t.svc(), object: svc('np', { type: 'NodePort' }) })).object.spec as Spec;
  const port = a.ports[0]!.nodePort!;
  assert.ok(port >= 30000 && port <= 32767);
  const dup = await c.call('api.create', { target: t.svc(), object: svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }) });
  assert.ok(!dup.ok && dup.status.code === 422);
  assert.match(!dup.ok ? dup.status.message : '', /spec.ports\[0\].nodePort: Invalid value: \d+: provided port is already allocated/);
  const explicit = (await c.must('api.create', { target: t.svc(), object: svc('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }) })).object.spec as Spec;
  assert.is(explicit.ports[0]!.nodePort, 30080);
  await c.must('api.delete', { target: t.svc('default', 'np') });
  await c.must('api.create', { target: t.svc(), object: svc('np4', { type: 'NodePort', ports: [{ port: 80, nodePort: port }] }) });
});

test('an update keeps the allocated IP and node ports', async () => {
  const c = h.client();
  const a = (await c.must('api.create', { target: t.svc(), object: svc('k', { type: 'NodePort' }) })).object;
  const spec = a.spec as Spec;
  const u = await c.must('api.update', { target: t.svc('default', 'k'), object: { ...a, metadata: { ...a.metadata, labels: { x: 'y' } } } });
  assert.is((u.object.spec as Spec).clusterIP, spec.clusterIP);
  assert.is((u.object.spec as Spec).ports[0]!.nodePort, spec.ports[0]!.nodePort);
});

test('dryRun allocates nothing', async () => {
  const c = h.client();
  const dry = (await c.must('api.create', { target: t.svc(), object: svc('d', { clusterIP: '127.96.5.5' }), dryRun: true })).object.spec as Spec;
  assert.is(dry.clusterIP, '127.96.5.5');
  await c.must('api.create', { target: t.svc(), object: svc('d', { clusterIP: '127.96.5.5' }) });
});

test('a LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort, kept on update, released when the policy goes', async () => {
  const c = h.client();
  type Hc = Spec & { healthCheckNodePort?: number };
  const lb = (await c.must('api.create', { target: t.svc(), object: svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }) })).object;
  const hc = (lb.spec as Hc).healthCheckNodePort!;
  assert.ok(hc >= 30000 && hc <= 32767);
  const np = (await c.must('api.create', { target: t.svc(), object: svc('np-local', { type: 'NodePort', externalTrafficPolicy: 'Local' }) })).object.spec as Hc;
  assert.is(np.healthCheckNodePort, undefined, 'only a LoadBalancer has one');
  const taken = await c.call('api.create', { target: t.svc(), object: svc('lb2', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: hc }) });
  assert.match(!taken.ok ? taken.status.message : '', `spec.healthCheckNodePort: Invalid value: ${hc}: provided port is already allocated`);
  const kept = await c.must('api.update', { target: t.svc('default', 'lb'), object: { ...lb, metadata: { ...lb.metadata, labels: { x: 'y' } } } });
  assert.is((kept.object.spec as Hc).healthCheckNodePort, hc);
  const cluster = await c.must('api.update', { target: t.svc('default', 'lb'), object: { ...kept.object, spec: { ...(kept.object.spec as Hc), externalTrafficPolicy: 'Cluster', healthCheckNodePort: undefined } } });
  assert.is((cluster.object.spec as Hc).healthCheckNodePort, undefined);
  await c.must('api.create', { target: t.svc(), object: svc('reuse', { type: 'NodePort', ports: [{ port: 80, nodePort: hc }] }) });
});

test.run();
