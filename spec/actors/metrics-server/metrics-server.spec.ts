/**
 * metrics-server in virtual time: it scrapes the sim kubelets every --metric-resolution,
 * and the typed client lists metrics.k8s.io pods with a label selector (as the
 * HorizontalPodAutoscaler does) once two samples were taken.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cluster, type Cluster } from '../controllers/helpers.ts';
import { pod } from '../apiserver/harness.ts';
import { ApiClient, targets } from '../../../actors/client/index.ts';
import { startMetricsServer } from '../../../actors/metrics-server/index.ts';
import { rfc3339 } from '../../../api/time.ts';

let c: Cluster;
let api: ApiClient;
let stop: () => void;
test.before(async () => {
  c = await cluster('', { nodes: 1 });
  stop = startMetricsServer(c.h.host, { resolutionMs: 15_000 }).stop;
  api = new ApiClient(c.h.client().port);
});
test.after(async () => {
  stop();
  await c.close();
});

const annotated = (name: string, cpu: string, labels: Record<string, string>) =>
  pod(name, { labels, nodeName: 'node-1', metadata: { name, labels, annotations: { 'sim.kubeactor.io/cpu-usage': cpu, 'sim.kubeactor.io/memory-usage': '32Mi' } } });

test('pods appear after their second scrape, with the rate over the resolution', async () => {
  await c.h.client().must('api.create', { target: targets.pods('default'), object: annotated('web-1', '250m', { app: 'web' }) });
  await c.h.client().must('api.create', { target: targets.pods('default'), object: annotated('web-2', '500m', { app: 'web' }) });
  await c.h.client().must('api.create', { target: targets.pods('default'), object: annotated('db', '1', { app: 'db' }) });
  await c.advance(1_000);
  const first = await api.list(targets.podmetrics('default'), 'app=web');
  assert.equal(first.ok && first.value.items, [], 'one sample at most: no rate yet');
  await c.advance(30_000, 1_000);
  const r = await api.list(targets.podmetrics('default'), 'app=web');
  assert.ok(r.ok);
  const items = r.ok ? r.value.items : [];
  assert.equal(items.map((m) => [m.metadata?.name, m.window, m.containers]), [
    ['web-1', '15s', [{ name: 'app', usage: { cpu: '250m', memory: '32Mi' } }]],
    ['web-2', '15s', [{ name: 'app', usage: { cpu: '500m', memory: '32Mi' } }]],
  ]);
  assert.ok(Date.parse(items[0]!.timestamp) <= c.h.clock.now());
  const node = await api.get(targets.nodemetrics(undefined, 'node-1'));
  assert.equal(node.ok && node.value.usage, { cpu: '1750m', memory: '96Mi' });
  assert.is(node.ok && node.value.timestamp, items[0]!.timestamp);
  assert.ok(node.ok && node.value.metadata?.creationTimestamp === rfc3339(c.h.clock.now()));
});

test('a field selector on metadata.name; the verbs metrics-server does not serve are 405', async () => {
  const one = await c.h.client().must('api.list', { target: targets.podmetrics('default'), options: { fieldSelector: 'metadata.name=db' } });
  assert.equal((one.items as { metadata: { name: string } }[]).map((m) => m.metadata.name), ['db']);
  const bad = await c.h.client().call('api.list', { target: targets.podmetrics('default'), options: { fieldSelector: 'spec.nodeName=node-1' } });
  assert.is(!bad.ok && bad.status.code, 400);
  const del = await c.h.client().call('api.delete', { target: targets.podmetrics('default', 'db') });
  assert.is(!del.ok && del.status.code, 405);
});

test('without a metrics-server the group answers 503, as kube-aggregator for an unavailable APIService', async () => {
  stop();
  await c.h.settle();
  const r = await api.list(targets.podmetrics('default'));
  assert.is(!r.ok && r.status.code, 503);
  assert.is(!r.ok && r.status.message, 'the server is currently unable to handle the request');
  stop = startMetricsServer(c.h.host, { resolutionMs: 15_000 }).stop;
});

test.run();
