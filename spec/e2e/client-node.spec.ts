/**
 * @kubernetes/client-node 2.x against a real control plane core through the HTTP front,
 * configured only from the kubeconfig the front writes: typed CRUD with the errors as the
 * client surfaces them (ApiException code + Status body), a raw Watch, and informers
 * (ListWatch) across server-closed watches and a 410 re-list.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { InProcessBus } from '../../bus/inprocess.ts';
import { ActorHost } from '../../actors/host.ts';
import { realClock } from '../../base/real-clock.ts';
import { MemoryKv } from '../../actors/kv/memory.ts';
import { startControlPlaneCore } from '../../actors/apiserver/start.ts';
import { startKubectlFront } from '../../actors/apiserver/http/index.ts';
import { eventually } from './cluster.ts';

/** Events per resource the apiserver's watch cache keeps: small, so a spec can outrun it in a few writes. */
const WATCH_WINDOW = 64;

/** cluster.ts's core + front, with a small watch window (startCluster takes no apiserver options). */
async function startSmallWindowCluster(): Promise<{ kubeconfig: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-client-node-'));
  const bus = new InProcessBus();
  const host = new ActorHost({ bus, clock: realClock, seed: 1 });
  const core = startControlPlaneCore({ bus, host, backend: new MemoryKv(), apiserver: { watchWindow: WATCH_WINDOW } });
  await core.ready();
  const { front, kubeconfig } = await startKubectlFront({ bus, dataDir: dir, port: 0 });
  return {
    kubeconfig,
    async stop() {
      await front.close();
      core.stop();
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const NS = 'client-node';
let c: { kubeconfig: string; stop(): Promise<void> };
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;

test.before(async () => {
  c = await startSmallWindowCluster();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
});
test.after(async () => {
  await c.stop();
});

const cm = (name: string, data: Record<string, string>, labels: Record<string, string> = { suite: 'client-node' }): k8s.V1ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

/** The error a call threw, as client-node surfaces it: an ApiException with the HTTP code and the Status body. */
async function apiError(p: Promise<unknown>): Promise<{ code: number; status: k8s.V1Status }> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, k8s.ApiException);
    const err = e as k8s.ApiException<unknown>;
    const body = typeof err.body === 'string' ? (JSON.parse(err.body) as k8s.V1Status) : (err.body as k8s.V1Status);
    return { code: err.code, status: body };
  }
  throw new Error('expected the call to fail');
}

const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

test('version and discovery', async () => {
  const v = await kc.makeApiClient(k8s.VersionApi).getCode();
  assert.is(v.major, '1');
  assert.is(v.minor, '32');
  const res = await core.getAPIResources();
  assert.ok(res.resources.some((r) => r.name === 'configmaps' && r.namespaced && r.kind === 'ConfigMap'));
  const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
  assert.ok(groups.groups.some((g) => g.name === 'apps'));
});

test('ConfigMap: create, read, list, replace, patch, delete', async () => {
  const created = await core.createNamespacedConfigMap({ namespace: NS, body: cm('one', { a: '1' }) });
  assert.is(created.metadata?.namespace, NS);
  assert.match(created.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
  assert.is(created.metadata?.generation, undefined);
  const read = await core.readNamespacedConfigMap({ namespace: NS, name: 'one' });
  assert.equal(read.data, { a: '1' });
  assert.is(read.metadata?.resourceVersion, created.metadata?.resourceVersion);

  await core.createNamespacedConfigMap({ namespace: NS, body: cm('two', { a: '2' }, { suite: 'other' }) });
  const list = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'suite=client-node' });
  assert.equal(list.items.map((i) => i.metadata?.name), ['one']);
  assert.match(list.metadata?.resourceVersion ?? '', /^\d+$/);
  const all = await core.listConfigMapForAllNamespaces({ fieldSelector: `metadata.namespace=${NS}` });
  assert.equal(all.items.map((i) => i.metadata?.name).sort(), ['one', 'two']);

  const replaced = await core.replaceNamespacedConfigMap({ namespace: NS, name: 'one', body: { ...read, data: { a: 'replaced' } } });
  assert.equal(replaced.data, { a: 'replaced' });
  assert.ok(Number(replaced.metadata?.resourceVersion) > Number(read.metadata?.resourceVersion));

  // The default patch type of the generated client is a JSON patch.
  const jp = await core.patchNamespacedConfigMap({ namespace: NS, name: 'one', body: [{ op: 'replace', path: '/data/a', value: 'json' }] });
  assert.equal(jp.data, { a: 'json' });
  const mp = await core.patchNamespacedConfigMap({ namespace: NS, name: 'one', body: { data: { b: 'merge' } } }, merge);
  assert.equal(mp.data, { a: 'json', b: 'merge' });
  const sp = await core.patchNamespacedConfigMap({ namespace: NS, name: 'one', body: { metadata: { labels: { x: 'y' } } } }, strategic);
  assert.equal(sp.metadata?.labels, { suite: 'client-node', x: 'y' });
  assert.is(sp.metadata?.generation, undefined);

  // Kinds without graceful deletion answer an immediate delete with a Success Status.
  const deleted = (await core.deleteNamespacedConfigMap({ namespace: NS, name: 'two' })) as k8s.V1Status;
  assert.is(deleted.kind, 'Status');
  assert.is(deleted.status, 'Success');
  assert.is(deleted.details?.name, 'two');
  const gone = await apiError(core.readNamespacedConfigMap({ namespace: NS, name: 'two' }));
  assert.is(gone.code, 404);
  assert.is(gone.status.reason, 'NotFound');
  assert.is(gone.status.message, 'configmaps "two" not found');
  assert.is(gone.status.details?.name, 'two');
});

test('ConfigMap errors: Conflict on a stale resourceVersion, AlreadyExists, NotFound on delete, Invalid', async () => {
  const v1 = await core.createNamespacedConfigMap({ namespace: NS, body: cm('conflict', { a: '1' }) });
  await core.replaceNamespacedConfigMap({ namespace: NS, name: 'conflict', body: { ...v1, data: { a: '2' } } });
  const stale = await apiError(core.replaceNamespacedConfigMap({ namespace: NS, name: 'conflict', body: { ...v1, data: { a: '3' } } }));
  assert.is(stale.code, 409);
  assert.is(stale.status.reason, 'Conflict');
  assert.match(stale.status.message ?? '', /the object has been modified; please apply your changes to the latest version and try again/);

  const dup = await apiError(core.createNamespacedConfigMap({ namespace: NS, body: cm('conflict', { a: '1' }) }));
  assert.is(dup.code, 409);
  assert.is(dup.status.reason, 'AlreadyExists');

  const missing = await apiError(core.deleteNamespacedConfigMap({ namespace: NS, name: 'nope' }));
  assert.is(missing.code, 404);
  assert.is(missing.status.reason, 'NotFound');

  const bad = await apiError(core.createNamespacedConfigMap({ namespace: NS, body: cm('Bad_Name', { a: '1' }) }));
  assert.is(bad.code, 422);
  assert.is(bad.status.reason, 'Invalid');
  assert.ok((bad.status.details?.causes ?? []).some((x) => x.field === 'metadata.name'));
});

test('Deployment: create, read, scale, replace, patch, delete', async () => {
  const body: k8s.V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    },
  };
  const d = await apps.createNamespacedDeployment({ namespace: NS, body });
  assert.is(d.metadata?.generation, 1);
  // Defaults applied by the server come back typed.
  assert.is(d.spec?.strategy?.type, 'RollingUpdate');
  assert.is(d.spec?.template.spec?.containers[0]?.terminationMessagePath, '/dev/termination-log');

  const scaled = await apps.patchNamespacedDeploymentScale({ namespace: NS, name: 'web', body: { spec: { replicas: 3 } } }, merge);
  assert.is(scaled.kind, 'Scale');
  assert.is(scaled.spec?.replicas, 3);
  const read = await apps.readNamespacedDeployment({ namespace: NS, name: 'web' });
  assert.is(read.spec?.replicas, 3);
  assert.is(read.metadata?.generation, 2);

  const image = read.spec!.template.spec!.containers[0]!;
  image.image = 'nginx:1.28';
  const replaced = await apps.replaceNamespacedDeployment({ namespace: NS, name: 'web', body: read });
  assert.is(replaced.spec?.template.spec?.containers[0]?.image, 'nginx:1.28');
  assert.is(replaced.metadata?.generation, 3);

  const patched = await apps.patchNamespacedDeployment(
    { namespace: NS, name: 'web', body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.29' }] } } } } },
    strategic,
  );
  assert.is(patched.spec?.template.spec?.containers.length, 1);
  assert.is(patched.spec?.template.spec?.containers[0]?.image, 'nginx:1.29');

  const stale = await apiError(apps.replaceNamespacedDeployment({ namespace: NS, name: 'web', body: read }));
  assert.is(stale.code, 409);
  assert.is(stale.status.reason, 'Conflict');

  const st = await apps.deleteNamespacedDeployment({ namespace: NS, name: 'web', propagationPolicy: 'Background' });
  assert.ok(st);
  const gone = await apiError(apps.readNamespacedDeployment({ namespace: NS, name: 'web' }));
  assert.is(gone.code, 404);
  assert.is(gone.status.message, 'deployments.apps "web" not found');
});

test('Pod: create, list by label, delete', async () => {
  const p = await core.createNamespacedPod({
    namespace: NS,
    body: { metadata: { name: 'p', labels: { app: 'p' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
  });
  assert.is(p.status?.phase, 'Pending');
  const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=p' });
  assert.equal(pods.items.map((x) => x.metadata?.name), ['p']);
  await core.deleteNamespacedPod({ namespace: NS, name: 'p' });
  assert.ok(await eventually(async () => (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=p' })).items.length === 0));
});

interface Seen {
  type: string;
  name: string;
  data?: Record<string, string>;
}

test('raw Watch: ADDED, MODIFIED, DELETED from the list resourceVersion', async () => {
  const labels = { suite: 'raw-watch' };
  const list = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'suite=raw-watch' });
  const seen: Seen[] = [];
  let doneErr: unknown = 'not done';
  const ctl = await new k8s.Watch(kc).watch(
    `/api/v1/namespaces/${NS}/configmaps`,
    { labelSelector: 'suite=raw-watch', resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
    (type: string, obj: k8s.V1ConfigMap) => seen.push({ type, name: obj.metadata?.name ?? '', ...(obj.data ? { data: obj.data } : {}) }),
    (err: unknown) => (doneErr = err),
  );
  const w = await core.createNamespacedConfigMap({ namespace: NS, body: cm('w', { a: '1' }, labels) });
  await core.patchNamespacedConfigMap({ namespace: NS, name: 'w', body: { data: { a: '2' } } }, merge);
  await core.deleteNamespacedConfigMap({ namespace: NS, name: 'w' });
  assert.ok(w.metadata?.uid);
  assert.ok(await eventually(() => seen.length >= 3), JSON.stringify(seen));
  assert.equal(seen.filter((s) => s.type !== 'BOOKMARK'), [
    { type: 'ADDED', name: 'w', data: { a: '1' } },
    { type: 'MODIFIED', name: 'w', data: { a: '2' } },
    { type: 'DELETED', name: 'w', data: { a: '2' } },
  ]);
  ctl.abort();
  assert.ok(await eventually(() => doneErr !== 'not done'));
});

test('raw Watch: the server ends the stream at timeoutSeconds and done(null) is called', async () => {
  let done: unknown = 'not done';
  const started = Date.now();
  await new k8s.Watch(kc).watch(`/api/v1/namespaces/${NS}/configmaps`, { timeoutSeconds: 1 }, () => {}, (err: unknown) => (done = err));
  assert.ok(await eventually(() => done !== 'not done', 5000));
  assert.is(done, null);
  assert.ok(Date.now() - started >= 900);
});

/** A resourceVersion the apiserver's watch window no longer holds (set by the flood test). */
let expiredRv = '';

test('raw Watch: once the watch window has moved past it, a resourceVersion is an ERROR event carrying 410 Expired', async () => {
  const ns = 'flood';
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const rv0 = (await core.listNamespacedConfigMap({ namespace: ns })).metadata?.resourceVersion ?? '';
  // More ConfigMap events than the apiserver's per-resource watch window holds.
  const names = Array.from({ length: WATCH_WINDOW + 10 }, (_, i) => `f${i}`);
  await Promise.all(names.map((name) => core.createNamespacedConfigMap({ namespace: ns, body: cm(name, { a: '1' }, { suite: 'flood' }) })));
  const seen: { type: string; code?: number; reason?: string }[] = [];
  let done: unknown = 'not done';
  await new k8s.Watch(kc).watch(
    `/api/v1/namespaces/${ns}/configmaps`,
    { resourceVersion: rv0 },
    (type: string, obj: k8s.V1Status) => seen.push({ type, ...(obj.code ? { code: obj.code } : {}), ...(obj.reason ? { reason: obj.reason } : {}) }),
    (err: unknown) => (done = err),
  );
  assert.ok(await eventually(() => done !== 'not done', 5000));
  assert.equal(seen, [{ type: 'ERROR', code: 410, reason: 'Expired' }]);
  expiredRv = rv0;
});

/** A Watch whose every request asks the server to close it after `seconds` (client-node's informer sends no timeoutSeconds). */
class ClosingWatch extends k8s.Watch {
  requests: Record<string, string>[] = [];
  constructor(config: k8s.KubeConfig, private readonly seconds: number) {
    super(config);
  }
  override watch(path: string, queryParams: Record<string, string | number | boolean | undefined>, callback: (phase: string, apiObj: any, watchObj?: any) => void, done: (err: any) => void): Promise<AbortController> {
    this.requests.push(Object.fromEntries(Object.entries(queryParams).map(([k, v]) => [k, String(v)])));
    return super.watch(path, { ...queryParams, timeoutSeconds: this.seconds }, callback, done);
  }
}

function record(inf: k8s.Informer<k8s.V1ConfigMap>): Seen[] {
  const seen: Seen[] = [];
  for (const verb of [k8s.ADD, k8s.UPDATE, k8s.DELETE] as const) {
    inf.on(verb, (o: k8s.V1ConfigMap) => seen.push({ type: verb, name: o.metadata?.name ?? '', ...(o.data ? { data: o.data } : {}) }));
  }
  inf.on(k8s.ERROR, (err: unknown) => seen.push({ type: 'error', name: String(err) }));
  return seen;
}

test('makeInformer: add, update, delete into the cache', async () => {
  const path = `/api/v1/namespaces/${NS}/configmaps`;
  await core.createNamespacedConfigMap({ namespace: NS, body: cm('pre', { a: '0' }, { suite: 'informer' }) });
  const inf = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'suite=informer' }), 'suite=informer');
  const seen = record(inf);
  await inf.start();
  try {
    assert.equal(seen, [{ type: 'add', name: 'pre', data: { a: '0' } }]);
    await core.createNamespacedConfigMap({ namespace: NS, body: cm('inf', { a: '1' }, { suite: 'informer' }) });
    await core.patchNamespacedConfigMap({ namespace: NS, name: 'inf', body: { data: { a: '2' } } }, merge);
    assert.ok(await eventually(() => inf.get('inf', NS)?.data?.a === '2'), JSON.stringify(seen));
    await core.deleteNamespacedConfigMap({ namespace: NS, name: 'inf' });
    assert.ok(await eventually(() => inf.get('inf', NS) === undefined), JSON.stringify(seen));
    assert.equal(seen.slice(1), [
      { type: 'add', name: 'inf', data: { a: '1' } },
      { type: 'update', name: 'inf', data: { a: '2' } },
      { type: 'delete', name: 'inf', data: { a: '2' } },
    ]);
    assert.equal(inf.list(NS).map((o) => o.metadata?.name), ['pre']);
  } finally {
    await inf.stop();
  }
});

test('ListWatch: the server closes each watch (timeoutSeconds); the informer watches again from its resourceVersion', async () => {
  const path = `/api/v1/namespaces/${NS}/configmaps`;
  const watch = new ClosingWatch(kc, 1);
  let lists = 0;
  const lw = new k8s.ListWatch<k8s.V1ConfigMap>(path, watch, () => (lists++, core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'suite=closing' })), false, 'suite=closing');
  const seen = record(lw);
  await lw.start();
  try {
    await core.createNamespacedConfigMap({ namespace: NS, body: cm('c1', { a: '1' }, { suite: 'closing' }) });
    assert.ok(await eventually(() => lw.get('c1', NS) !== undefined), JSON.stringify(seen));
    // Let the server close the stream at least twice; changes made in between still arrive.
    assert.ok(await eventually(() => watch.requests.length >= 3, 15_000), `watch requests: ${watch.requests.length}`);
    await core.patchNamespacedConfigMap({ namespace: NS, name: 'c1', body: { data: { a: '2' } } }, merge);
    await core.createNamespacedConfigMap({ namespace: NS, body: cm('c2', { a: '1' }, { suite: 'closing' }) });
    await core.deleteNamespacedConfigMap({ namespace: NS, name: 'c1' });
    assert.ok(await eventually(() => lw.get('c2', NS) !== undefined && lw.get('c1', NS) === undefined, 15_000), JSON.stringify(seen));
    assert.equal(seen.map((s) => `${s.type} ${s.name}`), ['add c1', 'update c1', 'add c2', 'delete c1']);
    // Every re-watch resumed from a resourceVersion, so none needed a list.
    assert.is(lists, 1);
    assert.ok(watch.requests.slice(1).every((q) => /^\d+$/.test(q.resourceVersion ?? '')), JSON.stringify(watch.requests));
  } finally {
    await lw.stop();
  }
});

test('ListWatch: a 410 Expired watch makes the informer list again and drop what vanished', async () => {
  const path = `/api/v1/namespaces/${NS}/configmaps`;
  await core.createNamespacedConfigMap({ namespace: NS, body: cm('keep', { a: '1' }, { suite: 'relist' }) });
  await core.createNamespacedConfigMap({ namespace: NS, body: cm('drop', { a: '1' }, { suite: 'relist' }) });
  assert.ok(expiredRv, 'needs the flood test before it');
  const watch = new ClosingWatch(kc, 60);
  let lists = 0;
  const listFn = async () => {
    const l = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'suite=relist' });
    // The first list comes from a stale cache: its resourceVersion has left the watch
    // window, and 'drop' is deleted before the informer watches.
    if (lists++ === 0) {
      await core.deleteNamespacedConfigMap({ namespace: NS, name: 'drop' });
      return { ...l, metadata: { ...l.metadata, resourceVersion: expiredRv } };
    }
    return l;
  };
  const lw = new k8s.ListWatch<k8s.V1ConfigMap>(path, watch, listFn, false, 'suite=relist');
  const seen = record(lw);
  await lw.start();
  try {
    assert.ok(await eventually(() => lists >= 2 && seen.some((s) => s.type === 'delete'), 10_000), JSON.stringify({ lists, seen }));
    assert.equal(seen.map((s) => `${s.type} ${s.name}`).slice(0, 3), ['add drop', 'add keep', 'delete drop']);
    assert.equal(lw.list(NS).map((o) => o.metadata?.name), ['keep']);
    assert.is(watch.requests[0]?.resourceVersion, expiredRv);
    assert.match(watch.requests[1]?.resourceVersion ?? '', /^\d+$/);
    assert.is.not(watch.requests[1]?.resourceVersion, expiredRv);
  } finally {
    await lw.stop();
  }
});

test.run();
