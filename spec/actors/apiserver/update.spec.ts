import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, pod, cm, type Harness, deployment } from './harness.ts';
import { clone } from '../../../api/json.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

test('update with a stale resourceVersion is 409 Conflict OBJECT_MODIFIED', async () => {
  const c = h.client();
  const v1 = (await c.must('api.create', { target: t.cm(), object: cm('u') })).object;
  const v2 = (await c.must('api.update', { target: t.cm('default', 'u'), object: { ...v1, data: { a: '2' } } })).object;
  assert.ok(Number(v2.metadata!.resourceVersion) > Number(v1.metadata!.resourceVersion));
  const stale = await c.call('api.update', { target: t.cm('default', 'u'), object: { ...v1, data: { a: '3' } } });
  assert.ok(!stale.ok);
  if (!stale.ok) {
    assert.is(stale.status.code, 409);
    assert.is(stale.status.reason, 'Conflict');
    assert.is(stale.status.message, 'Operation cannot be fulfilled on configmaps "u": the object has been modified; please apply your changes to the latest version and try again');
  }
});

test('update of a missing object is 404; leases create on update', async () => {
  const c = h.client();
  const r = await c.call('api.update', { target: t.cm('default', 'ghost'), object: cm('ghost') });
  assert.ok(!r.ok && r.status.code === 404);
  const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l1' }, spec: { holderIdentity: 'x' } };
  const made = await c.must('api.update', { target: t.leases('default', 'l1'), object: lease });
  assert.ok(made.created);
});

test('generation moves on spec changes only', async () => {
  const c = h.client();
  const d = (await c.must('api.create', { target: t.deploy(), object: deployment('web') })).object;
  assert.is(d.metadata!.generation, 1);
  const labelled = (await c.must('api.update', { target: t.deploy('default', 'web'), object: { ...d, metadata: { ...d.metadata, labels: { x: 'y' } } } })).object;
  assert.is(labelled.metadata!.generation, 1);
  const st = (await c.must('api.update', { target: t.deploy('default', 'web', 'status'), object: { ...labelled, status: { replicas: 1, observedGeneration: 1 } } })).object;
  assert.is(st.metadata!.generation, 1);
  assert.is((st.status as { replicas: number }).replicas, 1);
  const scaled = (await c.must('api.update', { target: t.deploy('default', 'web'), object: { ...st, spec: { ...(st.spec as object), replicas: 3 } } })).object;
  assert.is(scaled.metadata!.generation, 2);
});

test('main update ignores status; /status takes only status', async () => {
  const c = h.client();
  const d = (await c.must('api.create', { target: t.deploy(), object: deployment('s') })).object;
  const main = (await c.must('api.update', { target: t.deploy('default', 's'), object: { ...d, status: { replicas: 9 } } })).object;
  assert.equal(main.status, {});
  const viaStatus = (await c.must('api.update', { target: t.deploy('default', 's', 'status'), object: { ...main, spec: { ...(main.spec as object), replicas: 7 }, status: { replicas: 2 } } })).object;
  assert.is((viaStatus.spec as { replicas: number }).replicas, 1);
  assert.is((viaStatus.status as { replicas: number }).replicas, 2);
});

test('merge, json and strategic patches', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('p', { a: '1', b: '2' }) });
  const merged = await c.must('api.patch', { target: t.cm('default', 'p'), patchType: 'merge', patch: { data: { a: null, c: '3' } } });
  assert.equal(merged.object.data, { b: '2', c: '3' });
  const jsoned = await c.must('api.patch', { target: t.cm('default', 'p'), patchType: 'json', patch: [{ op: 'replace', path: '/data/b', value: '20' }] });
  assert.equal(jsoned.object.data, { b: '20', c: '3' });
  const bad = await c.call('api.patch', { target: t.cm('default', 'p'), patchType: 'json', patch: [{ op: 'test', path: '/data/b', value: 'nope' }] });
  assert.ok(!bad.ok);
  const missing = await c.call('api.patch', { target: t.cm('default', 'zz'), patchType: 'merge', patch: { data: {} } });
  assert.ok(!missing.ok && missing.status.code === 404);
});

test('strategic merge: containers, ports, env and volumes merge by key', async () => {
  const c = h.client();
  const base = pod('smp');
  base.spec = {
    containers: [
      { name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] },
      { name: 'side', image: 'busybox' },
    ],
    volumes: [{ name: 'v1', emptyDir: {} }],
  };
  await c.must('api.create', { target: t.pods(), object: base });
  // kubectl's own example: a pod's container image by merge key; the other container stays.
  const r = await c.must('api.patch', {
    target: t.pods('default', 'smp'),
    patchType: 'strategic',
    patch: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } },
  });
  const pcs = (r.object.spec as { containers: { name: string; image: string; ports?: unknown[] }[] }).containers;
  assert.equal(pcs.map((x) => `${x.name}=${x.image}`), ['app=nginx:1.28', 'side=busybox']);
  assert.is(pcs[0]!.ports?.length, 1);

  // A reply shares the stored object (frozen in the specs): a client edits its own copy.
  const d = clone((await c.must('api.create', { target: t.deploy(), object: deployment('smp') })).object);
  const tmpl = (d.spec as { template: { spec: Record<string, unknown> } }).template;
  tmpl.spec.containers = [
    { name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }] },
    { name: 'side', image: 'busybox' },
  ];
  tmpl.spec.volumes = [{ name: 'v1', emptyDir: {} }];
  await c.must('api.update', { target: t.deploy('default', 'smp'), object: d });
  const p = await c.must('api.patch', {
    target: t.deploy('default', 'smp'),
    patchType: 'strategic',
    patch: {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'app', image: 'nginx:1.28', ports: [{ containerPort: 443 }], env: [{ name: 'B', value: '2' }] }, { name: 'side', $patch: 'delete' }],
            volumes: [{ name: 'v2', emptyDir: {} }],
          },
        },
      },
    },
  });
  const spec = (p.object.spec as { template: { spec: { containers: { name: string; image: string; ports: { containerPort: number }[]; env: { name: string }[] }[]; volumes: { name: string }[] } } }).template.spec;
  assert.equal(spec.containers.map((x) => x.name), ['app']);
  assert.is(spec.containers[0]!.image, 'nginx:1.28');
  assert.equal(spec.containers[0]!.ports.map((x) => x.containerPort).sort(), [443, 80]);
  assert.equal(spec.containers[0]!.env.map((x) => x.name).sort(), ['A', 'B']);
  assert.equal(spec.volumes.map((x) => x.name).sort(), ['v1', 'v2']);
  assert.is(p.object.metadata!.generation, 3);
});

test('strategic merge with $setElementOrder (kubectl apply style)', async () => {
  const c = h.client();
  const d = clone((await c.must('api.create', { target: t.deploy(), object: deployment('order') })).object);
  const tmpl = (d.spec as { template: { spec: Record<string, unknown> } }).template;
  tmpl.spec.containers = [
    { name: 'a', image: 'x:1' },
    { name: 'b', image: 'y:1' },
  ];
  await c.must('api.update', { target: t.deploy('default', 'order'), object: d });
  const p = await c.must('api.patch', {
    target: t.deploy('default', 'order'),
    patchType: 'strategic',
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: 'x:2' }] } } } },
  });
  const cs = (p.object.spec as { template: { spec: { containers: { name: string; image: string }[] } } }).template.spec.containers;
  assert.equal(cs.map((x) => `${x.name}=${x.image}`), ['b=y:1', 'a=x:2']);
});

test('apply creates when absent, records managedFields, then updates', async () => {
  const c = h.client();
  const cfg = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ap', namespace: 'default' }, data: { k: 'v' } };
  const first = await c.must('api.patch', { target: t.cm('default', 'ap'), patchType: 'apply', patch: cfg, fieldManager: 'kubectl' });
  assert.ok(first.created);
  const mf = first.object.metadata!.managedFields as { manager: string; operation: string }[];
  assert.ok(mf.some((e) => e.manager === 'kubectl' && e.operation === 'Apply'), JSON.stringify(mf));
  const second = await c.must('api.patch', { target: t.cm('default', 'ap'), patchType: 'apply', patch: { ...cfg, data: { k: 'w' } }, fieldManager: 'kubectl' });
  assert.not.ok(second.created);
  assert.equal(second.object.data, { k: 'w' });
});

test('concurrent patches never lose a write', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('race', {}) });
  await Promise.all(
    Array.from({ length: 20 }, (_, i) => c.must('api.patch', { target: t.cm('default', 'race'), patchType: 'merge', patch: { data: { [`k${i}`]: String(i) } } })),
  );
  const got = await c.must('api.get', { target: t.cm('default', 'race') });
  assert.is(Object.keys(got.data as object).length, 20);
});

test('dryRun update stores nothing', async () => {
  const c = h.client();
  const v1 = (await c.must('api.create', { target: t.cm(), object: cm('d') })).object;
  const r = await c.must('api.update', { target: t.cm('default', 'd'), object: { ...v1, data: { a: 'dry' } }, dryRun: true });
  assert.equal(r.object.data, { a: 'dry' });
  const got = await c.must('api.get', { target: t.cm('default', 'd') });
  assert.equal(got.data, { a: '1' });
  assert.is(got.metadata!.resourceVersion, v1.metadata!.resourceVersion);
});

test.run();
