import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Endpoints, Pod, ServicePort } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../../api/time.ts';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { cluster, deployment, targets, type Cluster } from './helpers.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

const service = (name: string, selector: Record<string, string> | undefined, ports: ServicePort[]) =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', labels: { team: 'a' } }, spec: { ...(selector ? { selector } : {}), ports } }) as KubeObject;

/** A pod with a named container port, then its status: IP and readiness (as a kubelet would write it). */
async function pod(name: string, ip: string, ready: boolean, port = 8080, labels = { app: 'web' }): Promise<void> {
  const p: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { nodeName: 'node-x', containers: [{ name: 'app', image: 'nginx', ports: [{ name: 'http', containerPort: port }] }] } };
  await c.h.client().must('api.create', { target: targets.pods('default'), object: p as KubeObject });
  await setReady(name, ready, ip);
}

async function setReady(name: string, ready: boolean, ip?: string): Promise<void> {
  const cur = (await c.get<Pod>(targets.pods('default', name)))!;
  const status = { ...cur.status, phase: 'Running', podIP: ip ?? cur.status?.podIP, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: rfc3339(c.h.clock.now()) }] };
  await c.h.client().must('api.update', { target: { ...targets.pods('default', name), subresource: 'status' }, object: { ...cur, status } as KubeObject });
}

const endpoints = () => c.get<Endpoints>(targets.endpoints('default', 'web'));
const ips = (as: { ip: string }[] | undefined) => (as ?? []).map((a) => a.ip);

test('a Service lists ready pods under addresses and the others under notReadyAddresses, named ports resolved per pod', async () => {
  c = await cluster('endpoint');
  await pod('a', '10.244.1.2', true);
  await pod('b', '10.244.1.3', false);
  await pod('c', '10.244.1.4', true, 9090);
  await pod('other', '10.244.1.9', true, 8080, { app: 'other' });
  await c.h.client().must('api.create', { target: targets.services('default'), object: service('web', { app: 'web' }, [{ name: 'http', port: 80, targetPort: 'http' }]) });
  await c.advance(200);
  const ep = (await endpoints())!;
  assert.ok(ep, 'the Endpoints object exists');
  assert.is(ep.metadata?.labels?.team, 'a', "the Service's labels are copied");
  assert.ok(ep.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
  const subsets = ep.subsets ?? [];
  assert.is(subsets.length, 2, 'pods resolving the named port differently are in different subsets');
  const s8080 = subsets.find((s) => s.ports?.[0]?.port === 8080)!;
  const s9090 = subsets.find((s) => s.ports?.[0]?.port === 9090)!;
  assert.equal(ips(s8080.addresses), ['10.244.1.2']);
  assert.equal(ips(s8080.notReadyAddresses), ['10.244.1.3']);
  assert.equal(ips(s9090.addresses), ['10.244.1.4']);
  assert.equal(s8080.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const a = s8080.addresses![0]!;
  assert.is(a.nodeName, 'node-x');
  assert.equal([a.targetRef?.kind, a.targetRef?.name, a.targetRef?.namespace], ['Pod', 'a', 'default']);
});

test('the Endpoints follow pods turning ready, unready and going away', async () => {
  c = await cluster('endpoint');
  await c.h.client().must('api.create', { target: targets.services('default'), object: service('web', { app: 'web' }, [{ port: 80, targetPort: 8080 }]) });
  await pod('a', '10.244.1.2', false);
  await pod('b', '10.244.1.3', true);
  await c.advance(200);
  let s = (await endpoints())!.subsets![0]!;
  assert.equal([ips(s.addresses), ips(s.notReadyAddresses)], [['10.244.1.3'], ['10.244.1.2']]);
  await setReady('a', true);
  await setReady('b', false);
  await c.advance(200);
  s = (await endpoints())!.subsets![0]!;
  assert.equal([ips(s.addresses), ips(s.notReadyAddresses)], [['10.244.1.2'], ['10.244.1.3']]);
  await c.h.client().must('api.delete', { target: targets.pods('default', 'a'), options: { gracePeriodSeconds: 0 } });
  await c.h.client().must('api.delete', { target: targets.pods('default', 'b'), options: { gracePeriodSeconds: 0 } });
  await c.advance(200);
  assert.equal((await endpoints())!.subsets ?? [], []);
});

test('no selector: user-managed Endpoints are left alone; a deleted Service takes its Endpoints along', async () => {
  c = await cluster('endpoint');
  await c.h.client().must('api.create', { target: targets.services('default'), object: service('ext', undefined, [{ port: 80 }]) });
  const mine = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.0.2.7' }], ports: [{ port: 80 }] }] };
  await c.h.client().must('api.create', { target: targets.endpoints('default'), object: mine as KubeObject });
  await c.h.client().must('api.create', { target: targets.services('default'), object: service('web', { app: 'web' }, [{ port: 80 }]) });
  await c.advance(200);
  assert.equal(ips((await c.get<Endpoints>(targets.endpoints('default', 'ext')))!.subsets![0]!.addresses), ['192.0.2.7']);
  assert.ok(await endpoints());
  await c.h.client().must('api.delete', { target: targets.endpoints('default', 'web') });
  await c.advance(200);
  assert.ok(await endpoints(), 'deleted Endpoints of a selector Service are put back');
  await c.h.client().must('api.delete', { target: targets.services('default', 'web') });
  await c.advance(200);
  assert.is(await endpoints(), null);
  assert.ok(await c.get(targets.endpoints('default', 'ext')));
});

test('with sim nodes: a Deployment behind a Service shows up with the kubelet-assigned pod IPs', async () => {
  c = await cluster('endpoint,deployment,replicaset', { nodes: 1 });
  const d = deployment('web', 3, { nodeName: 'node-1' });
  await c.h.client().must('api.create', { target: targets.deployments('default'), object: d });
  await c.h.client().must('api.create', { target: targets.services('default'), object: service('web', { app: 'web' }, [{ port: 80 }]) });
  await c.advance(10_000, 500);
  const pods = (await c.list<Pod>(targets.pods('default'), 'app=web')).map((p) => p.status?.podIP).sort();
  const ep = (await endpoints())!;
  assert.equal(ips(ep.subsets?.[0]?.addresses).sort(), pods);
  assert.is(pods.length, 3);
});

test.run();
