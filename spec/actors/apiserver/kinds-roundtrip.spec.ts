/**
 * Every registered kind through every verb it supports, through the apiserver: create, get,
 * list, update, the four patch types, watch, delete, deletecollection, and its subresources,
 * each with the minimal valid object of spec/api/kinds/fixtures.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';
import { allKinds, apiVersionOf, kindRegistry, type KindInfo, type Subresource } from '../../../api/kinds.ts';
import { defineKind } from '../../../api/kinds/info.ts';
import { fixtureName, KIND_FIXTURES } from '../../api/kinds/fixtures.ts';
import { start, summary, type Client, type Harness } from './harness.ts';

/** Subresources the HTTP front serves itself (pods/log streams from the kubelet): covered by the front's specs. */
const FRONT_ONLY: ReadonlySet<Subresource> = new Set(['log']);

const targetOf = (k: KindInfo, name?: string, subresource?: string): ApiTarget => ({
  group: k.group,
  version: k.version,
  resource: k.resource,
  ...(k.namespaced ? { namespace: 'default' } : {}),
  ...(name ? { name } : {}),
  ...(subresource ? { subresource } : {}),
});

const labelsOf = (o: KubeObject): Record<string, string> => (o.metadata?.labels ?? {}) as Record<string, string>;

/** Exercises one subresource of the object `name`; each leaves the object in place. */
const SUBRESOURCE_CHECKS: Record<Subresource, (c: Client, k: KindInfo, name: string) => Promise<void>> = {
  async status(c, k, name) {
    const cur = await c.must('api.get', { target: targetOf(k, name, 'status') });
    assert.is(cur.metadata?.name, name);
    await c.must('api.update', { target: targetOf(k, name, 'status'), object: cur });
    await c.must('api.patch', { target: targetOf(k, name, 'status'), patchType: 'merge', patch: { metadata: { annotations: { status: 'patched' } } } });
  },
  async scale(c, k, name) {
    const scale = await c.must('api.get', { target: targetOf(k, name, 'scale') });
    assert.is(scale.kind, 'Scale');
    await c.must('api.update', { target: targetOf(k, name, 'scale'), object: { ...scale, spec: { replicas: 2 } } });
    const after = await c.must('api.get', { target: targetOf(k, name) });
    assert.is((after.spec as { replicas?: number }).replicas, 2);
  },
  async binding(c, k, name) {
    await c.must('api.create', { target: targetOf(k, name, 'binding'), object: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } } as KubeObject });
    const bound = await c.must('api.get', { target: targetOf(k, name) });
    assert.is((bound.spec as { nodeName?: string }).nodeName, 'n1');
  },
  async eviction(c, k) {
    const evictee = KIND_FIXTURES[k.gr]!('evictee');
    await c.must('api.create', { target: targetOf(k), object: evictee });
    await c.must('api.create', { target: targetOf(k, 'evictee', 'eviction'), object: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evictee' } } as KubeObject });
  },
  async token(c, k, name) {
    const r = await c.must('api.create', { target: targetOf(k, name, 'token'), object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } as KubeObject });
    assert.ok((r.object.status as { token?: string }).token);
  },
  async approval(c, k, name) {
    const cur = await c.must('api.get', { target: targetOf(k, name) });
    const conditions = [{ type: 'Approved', status: 'True', reason: 'RoundTrip', message: 'approved by the round trip' }];
    const approved = (await c.must('api.update', { target: targetOf(k, name, 'approval'), object: { ...cur, status: { conditions } } })).object;
    assert.is((approved.status as { conditions?: { type: string }[] }).conditions?.[0]?.type, 'Approved');
  },
  // Checked after delete: finalize is what lets a terminating namespace go.
  async finalize() {},
  async log() {},
  // Streams are served by the HTTP front on an upgrade (spec/e2e/kubectl-exec.spec.ts), not on the bus.
  async exec() {},
  async attach() {},
  async portforward() {},
};

/**
 * What a kind's controller does for an object admission gave a finalizer (claims and volumes
 * get kubernetes.io/pv[c]-protection): removes it once deletion began, so the object goes.
 */
async function releaseFinalizers(c: Client, k: KindInfo, o: KubeObject): Promise<void> {
  if (!o.metadata?.deletionTimestamp || !o.metadata.finalizers?.length) return;
  await c.must('api.update', { target: targetOf(k, o.metadata.name!), object: { ...o, metadata: { ...o.metadata, finalizers: [] } } });
}

let h: Harness;
test.before(async () => {
  h = await start();
});
test.after(async () => h.close());

// Served-not-stored kinds (metrics.k8s.io) have nothing to create: spec/actors/metrics-server covers them.
for (const k of allKinds().filter((x) => !x.servedBy)) {
  test(`${k.gr}: ${k.verbs.join(', ')}; ${k.subresources.join(', ') || 'no subresources'}`, async () => {
    const c = h.client();
    const name = fixtureName(k.gr, `rt-${k.resource}`);
    const fixture = KIND_FIXTURES[k.gr];
    assert.ok(fixture, `a fixture for ${k.gr}`);
    if (!fixture) return;
    const watchId = `w-${k.gr}`;
    if (k.verbs.includes('watch')) await c.must('api.watch', { target: targetOf(k), id: watchId });

    const created = (await c.must('api.create', { target: targetOf(k), object: fixture(name) })).object;
    assert.is(created.kind, k.kind);
    assert.is(created.apiVersion, apiVersionOf(k));
    assert.ok(created.metadata?.uid);
    assert.is(created.metadata?.generation, k.strategy.tracksGeneration ? 1 : undefined, 'generation as the strategy says');
    const startsWith = (k.strategy.prepareForCreate(fixture(name)).status ?? {}) as Record<string, unknown>;
    for (const [key, v] of Object.entries(startsWith)) assert.equal((created.status as Record<string, unknown>)[key], v, `status.${key} as PrepareForCreate says`);

    const got = await c.must('api.get', { target: targetOf(k, name) });
    assert.is(got.metadata?.uid, created.metadata?.uid);
    const list = await c.must('api.list', { target: targetOf(k) });
    assert.is(list.kind, k.listKind);
    assert.ok((list.items as KubeObject[]).some((o) => o.metadata?.name === name));

    const updated = (await c.must('api.update', { target: targetOf(k, name), object: { ...got, metadata: { ...got.metadata, labels: { ...labelsOf(got), update: '1' } } } })).object;
    assert.is(labelsOf(updated).update, '1');
    await c.must('api.patch', { target: targetOf(k, name), patchType: 'merge', patch: { metadata: { labels: { merge: '1' } } } });
    await c.must('api.patch', { target: targetOf(k, name), patchType: 'strategic', patch: { metadata: { labels: { strategic: '1' } } } });
    await c.must('api.patch', { target: targetOf(k, name), patchType: 'json', patch: [{ op: 'add', path: '/metadata/labels/json', value: '1' }] });
    await c.must('api.patch', { target: targetOf(k, name), patchType: 'apply', fieldManager: 'spec', patch: { apiVersion: apiVersionOf(k), kind: k.kind, metadata: { name, labels: { apply: '1' } } } });
    const patched = await c.must('api.get', { target: targetOf(k, name) });
    assert.equal(
      Object.keys(labelsOf(patched)).filter((l) => ['update', 'merge', 'strategic', 'json', 'apply'].includes(l)).sort(),
      ['apply', 'json', 'merge', 'strategic', 'update'],
    );

    for (const sub of k.subresources) if (!FRONT_ONLY.has(sub)) await SUBRESOURCE_CHECKS[sub](c, k, name);

    const deleted = await c.must('api.delete', { target: targetOf(k, name), options: { gracePeriodSeconds: 0 } });
    if (k.subresources.includes('finalize')) {
      // A namespace terminates until its finalizers are gone (the namespace controller's job, done by hand here).
      assert.ok(deleted.object.metadata?.deletionTimestamp);
      await c.must('api.update', { target: targetOf(k, name, 'finalize'), object: { ...deleted.object, spec: { finalizers: [] } } });
    } else await releaseFinalizers(c, k, deleted.object);
    const gone = await c.call('api.get', { target: targetOf(k, name) });
    assert.is(gone.ok ? 200 : gone.status.code, 404);

    if (k.verbs.includes('deletecollection')) {
      for (const n of ['rt-a', 'rt-b']) {
        const o = fixture(fixtureName(k.gr, n));
        await c.must('api.create', { target: targetOf(k), object: { ...o, metadata: { ...o.metadata, labels: { batch: 'rt' } } } });
      }
      await c.must('api.deletecollection', { target: targetOf(k), listOptions: { labelSelector: 'batch=rt' }, options: { gracePeriodSeconds: 0 } });
      for (const o of (await c.must('api.list', { target: targetOf(k), options: { labelSelector: 'batch=rt' } })).items as KubeObject[]) await releaseFinalizers(c, k, o);
      const left = await c.must('api.list', { target: targetOf(k), options: { labelSelector: 'batch=rt' } });
      assert.equal(left.items, []);
    }

    if (k.verbs.includes('watch')) {
      await h.settle();
      const seen = summary(c.events.get(watchId));
      for (const e of [`ADDED ${name}`, `MODIFIED ${name}`, `DELETED ${name}`]) assert.ok(seen.includes(e), `${e} in ${seen.join('; ')}`);
      c.port.send('apiserver', 'api.unwatch', { id: watchId });
    }
  });
}

test('a kind registered while the server runs is served from the next request, and 404s once unregistered', async () => {
  const c = h.client();
  const cm = kindRegistry.byResource('', 'configmaps')!;
  const widget = defineKind({ ...cm, group: 'example.com', kind: 'Widget', resource: 'widgets', shortNames: [], categories: [], schema: cm.schema, protobuf: null });
  const target = { group: 'example.com', version: 'v1', resource: 'widgets', namespace: 'default' };
  const before = await c.call('api.list', { target });
  assert.is(before.ok ? 200 : before.status.code, 404);
  kindRegistry.register(widget);
  try {
    const made = await c.must('api.create', { target, object: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, data: { a: '1' } } });
    assert.is(made.object.kind, 'Widget');
    assert.is((await c.must('api.get', { target: { ...target, name: 'w' } })).metadata?.uid, made.object.metadata?.uid);
  } finally {
    kindRegistry.unregister(widget.gr);
  }
  const after = await c.call('api.get', { target: { ...target, name: 'w' } });
  assert.is(after.ok ? 200 : after.status.code, 404);
});

test("a kind's strategy hooks decide how its objects are deleted (the apiserver names no kind)", async () => {
  const c = h.client();
  const cm = kindRegistry.byResource('', 'configmaps')!;
  const dataOf = (o: KubeObject): Record<string, string> => (o.data ?? {}) as Record<string, string>;
  const gadget = defineKind({
    ...cm, group: 'example.com', kind: 'Gadget', resource: 'gadgets', shortNames: [], categories: [], protobuf: null,
    strategy: {
      ...cm.strategy,
      checkGracefulDelete: (o, options) => (dataOf(o).grace ? (options?.gracePeriodSeconds ?? Number(dataOf(o).grace)) : 0),
      specFinalizers: (o) => (dataOf(o).hold ? [dataOf(o).hold!] : []),
      prepareForDelete: (o) => ({ ...o, metadata: { ...o.metadata, labels: { ...labelsOf(o), deleting: 'yes' } } }),
    },
  });
  const target = (name?: string): ApiTarget => ({ group: 'example.com', version: 'v1', resource: 'gadgets', namespace: 'default', ...(name ? { name } : {}) });
  const make = (name: string, data: Record<string, string>) => c.must('api.create', { target: target(), object: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name }, data } });
  const status = async (name: string) => {
    const r = await c.call('api.get', { target: target(name) });
    return r.ok ? 200 : r.status.code;
  };
  kindRegistry.register(gadget);
  try {
    await make('plain', {});
    await c.must('api.delete', { target: target('plain') });
    assert.is(await status('plain'), 404, 'no hook: deleted at once');

    await make('graceful', { grace: '20' });
    const marked = (await c.must('api.delete', { target: target('graceful') })).object;
    assert.is(marked.metadata?.deletionGracePeriodSeconds, 20, 'CheckGracefulDelete gave 20 s');
    assert.is(labelsOf(marked).deleting, 'yes', 'prepareForDelete ran on marking');
    await c.must('api.patch', { target: target('graceful'), patchType: 'merge', patch: { metadata: { labels: { touched: '1' } } } });
    assert.is(await status('graceful'), 200, 'an update does not remove an object still in its grace period');
    await c.must('api.delete', { target: target('graceful'), options: { gracePeriodSeconds: 0 } });
    assert.is(await status('graceful'), 404, 'a delete with grace 0 removes it');

    await make('held', { hold: 'example.com/x' });
    const held = (await c.must('api.delete', { target: target('held') })).object;
    assert.ok(held.metadata?.deletionTimestamp);
    assert.is(held.metadata?.deletionGracePeriodSeconds, 0);
    assert.is(await status('held'), 200, "the kind's own finalizer keeps it");
    await c.must('api.patch', { target: target('held'), patchType: 'merge', patch: { data: { hold: null } } });
    assert.is(await status('held'), 404, 'the update that empties them removes it');
  } finally {
    kindRegistry.unregister(gadget.gr);
  }
});

test.run();
