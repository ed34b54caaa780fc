import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { RESOURCE_QUOTA_SYNC_PERIOD_MS } from '../../../actors/controllers/resourcequota/controller.ts';
import { cluster, targets, type Cluster } from './helpers.ts';

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

const quota = (name: string, hard: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard } }) as KubeObject;
const pod = (name: string, cpu: string): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu } } }] } }) as KubeObject;
const statusOf = async (name: string) => (await c.get<ResourceQuota>(targets.resourcequotas('default', name)))!.status;

test('a new quota is counted: status.hard from spec.hard, status.used from the pods already there', async () => {
  c = await cluster('resourcequota');
  const api = c.h.client();
  await api.must('api.create', { target: targets.pods('default'), object: pod('a', '250m') });
  await api.must('api.create', { target: targets.pods('default'), object: pod('b', '500m') });
  await api.must('api.create', { target: targets.resourcequotas('default'), object: quota('q', { 'requests.cpu': '2', pods: '5', 'requests.memory': '1Gi' }) });
  await c.advance(200);
  assert.equal(await statusOf('q'), { hard: { pods: '5', 'requests.cpu': '2', 'requests.memory': '1Gi' }, used: { pods: '2', 'requests.cpu': '750m', 'requests.memory': '0' } });
});

test('deletes and pods that end give their share back; admission charges creates', async () => {
  c = await cluster('resourcequota');
  const api = c.h.client();
  await api.must('api.create', { target: targets.resourcequotas('default'), object: quota('q', { 'requests.cpu': '1', pods: '5' }) });
  await c.advance(200);
  await api.must('api.create', { target: targets.pods('default'), object: pod('a', '300m') });
  await api.must('api.create', { target: targets.pods('default'), object: pod('b', '300m') });
  assert.equal((await statusOf('q'))?.used, { pods: '2', 'requests.cpu': '600m' });
  await api.must('api.delete', { target: targets.pods('default', 'a'), options: { gracePeriodSeconds: 0 } });
  await c.advance(200);
  assert.equal((await statusOf('q'))?.used, { pods: '1', 'requests.cpu': '300m' });
  const b = (await c.get<Pod>(targets.pods('default', 'b')))!;
  await api.must('api.update', { target: targets.pods('default', 'b', 'status'), object: { ...b, status: { phase: 'Failed' } } as KubeObject });
  await c.advance(200);
  assert.equal((await statusOf('q'))?.used, { pods: '0', 'requests.cpu': '0' });
});

test('the full resync every 5 minutes (virtual time) corrects a charge whose write failed', async () => {
  c = await cluster('resourcequota');
  const api = c.h.client();
  await api.must('api.create', { target: targets.resourcequotas('default'), object: quota('objects', { 'count/configmaps': '5' }) });
  await c.advance(200);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: {} } as KubeObject;
  await api.must('api.create', { target: targets.configmaps('default'), object: cm });
  // Admission charges before the write; this one then finds the name taken.
  const again = await api.call('api.create', { target: targets.configmaps('default'), object: cm });
  assert.is(!again.ok && again.status.reason, 'AlreadyExists');
  assert.equal((await statusOf('objects'))?.used, { 'count/configmaps': '2' });
  await c.advance(RESOURCE_QUOTA_SYNC_PERIOD_MS - 1000, 10_000);
  assert.equal((await statusOf('objects'))?.used, { 'count/configmaps': '2' }, 'not recounted before the period');
  await c.advance(2000);
  assert.equal((await statusOf('objects'))?.used, { 'count/configmaps': '1' });
});

test.run();
