/**
 * The watcher index: watches whose selector pins spec.nodeName (pods), metadata.name or
 * metadata.namespace (or whose namespace is in the path) are filed under that value and see
 * only events whose object — or previous state — has it; the semantics stay those of the
 * unindexed filter (ADDED on starting to match, DELETED on stopping).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import type { Port } from '../../../bus/bus.ts';
import { buildFilter } from '../../../actors/apiserver/filter.ts';
import { resourceInfo } from '../../../actors/apiserver/resources.ts';
import { namespacePrefix, resourcePrefix } from '../../../actors/apiserver/storage-keys.ts';
import { ResourceCache, type CacheEvent } from '../../../actors/apiserver/watch-cache.ts';
import { indexTerm, WatcherSet, type Watcher } from '../../../actors/apiserver/watchers.ts';
import { start, t, pod, summary, type Harness } from './harness.ts';
import { podKind } from '../../../api/kinds/core/pod.ts';

const pods = resourceInfo({ group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, hasStatus: true, hasScale: false, allowCreateOnUpdate: false });

function watcher(id: string, opts: { fieldSelector?: string; labelSelector?: string; namespace?: string } = {}): Watcher {
  const { namespace, ...sel } = opts;
  const f = buildFilter(pods, sel);
  if (!f.ok) throw new Error(f.status.message);
  return { id, address: id, gr: 'pods', indexFields: podKind.indexFields, prefix: namespace ? namespacePrefix('pods', namespace) : resourcePrefix('pods'), filter: f.value, bookmarks: false, kind: 'Pod', apiVersion: 'v1' };
}

function recorder(): { port: Port; got: Map<string, string[]> } {
  const got = new Map<string, string[]>();
  const port = {
    send(to: string, _type: string, p: { events: { type: string; object: KubeObject }[] }) {
      got.set(to, [...(got.get(to) ?? []), ...p.events.map((e) => `${e.type} ${e.object.metadata?.name}`)]);
    },
  } as unknown as Port;
  return { port, got };
}

const obj = (name: string, nodeName?: string, ns = 'default', labels?: Record<string, string>): KubeObject => ({
  metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
  spec: nodeName ? { nodeName } : {},
});

test('indexTerm: nodeName before name before namespace; namespace from the path; != is not indexed', () => {
  assert.equal(indexTerm(watcher('a', { fieldSelector: 'metadata.name=x,spec.nodeName=n1' })), { field: 'spec.nodeName', value: 'n1' });
  assert.equal(indexTerm(watcher('b', { fieldSelector: 'metadata.name==x' })), { field: 'metadata.name', value: 'x' });
  assert.equal(indexTerm(watcher('c', { namespace: 'ns1' })), { field: 'metadata.namespace', value: 'ns1' });
  assert.equal(indexTerm(watcher('d', { fieldSelector: 'spec.nodeName!=n1' })), null);
  assert.equal(indexTerm(watcher('e', { labelSelector: 'app=web' })), null);
  assert.equal(indexTerm(watcher('f', { fieldSelector: 'spec.nodeName=' })), { field: 'spec.nodeName', value: '' });
});

test('dispatch: only the matching node watcher sees a pod; binding is ADDED there, moving away is DELETED', () => {
  const { port, got } = recorder();
  const set = new WatcherSet(port);
  set.add(watcher('n1', { fieldSelector: 'spec.nodeName=n1' }));
  set.add(watcher('n2', { fieldSelector: 'spec.nodeName=n2' }));
  set.add(watcher('unassigned', { fieldSelector: 'spec.nodeName=' }));
  set.add(watcher('all'));
  set.add(watcher('other-ns', { namespace: 'other' }));
  set.add(watcher('by-name', { fieldSelector: 'metadata.name=p' }));
  const key = '/registry/pods/default/p';
  const a = obj('p');
  const b = obj('p', 'n1');
  const c = obj('p', 'n2');
  const evs: CacheEvent[] = [
    { type: 'ADDED', rv: 1, key, object: a },
    { type: 'MODIFIED', rv: 2, key, object: b, prev: a },
    { type: 'MODIFIED', rv: 3, key, object: c, prev: b },
    { type: 'DELETED', rv: 4, key, object: c, prev: c },
  ];
  set.dispatch('pods', evs);
  set.flush();
  assert.equal(got.get('unassigned'), ['ADDED p', 'DELETED p']);
  assert.equal(got.get('n1'), ['ADDED p', 'DELETED p']);
  assert.equal(got.get('n2'), ['ADDED p', 'DELETED p']);
  assert.equal(got.get('all'), ['ADDED p', 'MODIFIED p', 'MODIFIED p', 'DELETED p']);
  assert.equal(got.get('by-name'), ['ADDED p', 'MODIFIED p', 'MODIFIED p', 'DELETED p']);
  assert.is(got.get('other-ns'), undefined);
});

test('label selector still applies inside an index bucket; removal drops the watcher from its bucket', () => {
  const { port, got } = recorder();
  const set = new WatcherSet(port);
  set.add(watcher('web', { fieldSelector: 'spec.nodeName=n1', labelSelector: 'app=web' }));
  set.add(watcher('gone', { fieldSelector: 'spec.nodeName=n1' }));
  assert.is(set.size, 2);
  assert.ok(set.remove('gone', 'gone'));
  assert.is(set.size, 1);
  const key = '/registry/pods/default/q';
  set.dispatch('pods', [
    { type: 'ADDED', rv: 1, key, object: obj('q', 'n1', 'default', { app: 'db' }) },
    { type: 'ADDED', rv: 2, key: '/registry/pods/default/r', object: obj('r', 'n1', 'default', { app: 'web' }) },
  ]);
  set.flush();
  assert.equal(got.get('web'), ['ADDED r']);
  assert.is(got.get('gone'), undefined);
  assert.equal(set.all().map((w) => w.id), ['web']);
});

test('the event window keeps exactly the last `capacity` events across its chunked trimming', () => {
  for (const capacity of [1, 3, 1500]) {
    const rc = new ResourceCache('pods', 0, capacity);
    for (let rv = 1; rv <= 5000; rv++) {
      rc.apply({ type: 'ADDED', rv, key: `/registry/pods/default/p${rv}`, object: obj(`p${rv}`) });
      const first = Math.max(1, rv - capacity + 1);
      if (rc.windowStart !== first - 1) assert.unreachable(`capacity ${capacity} at ${rv}: windowStart ${rc.windowStart}, want ${first - 1}`);
      if (rv % 97 === 0) {
        assert.equal(rc.window.map((e) => e.rv), Array.from({ length: rv - first + 1 }, (_, i) => first + i));
        assert.equal(rc.eventsAfter(rv - 1).map((e) => e.rv), [rv]);
        assert.equal(rc.eventsAfter(0).length, rv - first + 1);
      }
    }
  }
});

let h: Harness;
test('the pod cache keeps pods by node (what the node authorizer reads): primed, bound later, deleted', () => {
  const rc = new ResourceCache('pods', 0, 100);
  const byNode = () => Object.fromEntries([...rc.byNode].map(([n, keys]) => [n, [...keys].sort()]));
  rc.put('/registry/pods/default/a', obj('a', 'n1'));
  rc.apply({ type: 'ADDED', rv: 2, key: '/registry/pods/default/b', object: obj('b') });
  rc.apply({ type: 'MODIFIED', rv: 3, key: '/registry/pods/default/b', object: obj('b', 'n2') });
  rc.apply({ type: 'ADDED', rv: 4, key: '/registry/pods/default/c', object: obj('c', 'n1') });
  assert.equal(byNode(), { n1: ['/registry/pods/default/a', '/registry/pods/default/c'], n2: ['/registry/pods/default/b'] });
  rc.apply({ type: 'DELETED', rv: 5, key: '/registry/pods/default/a', object: obj('a', 'n1') });
  rc.apply({ type: 'DELETED', rv: 6, key: '/registry/pods/default/b', object: obj('b', 'n2') });
  assert.equal(byNode(), { n1: ['/registry/pods/default/c'] });
});

test('through the apiserver: a pod bound later reaches its node watch as ADDED, and no other node watch', async () => {
  h = await start();
  try {
    const c = h.client();
    for (const n of ['n1', 'n2', 'n3']) await c.must('api.watch', { target: { ...t.pods(), namespace: undefined } as never, id: n, options: { fieldSelector: `spec.nodeName=${n}` } });
    await c.must('api.create', { target: t.pods(), object: pod('web') });
    await c.must('api.create', { target: t.pods('default', 'web', 'binding'), object: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'n2' } } });
    await h.settle();
    assert.equal(summary(c.events.get('n2')), ['ADDED web']);
    assert.is(c.events.get('n1'), undefined);
    assert.is(c.events.get('n3'), undefined);
    await c.must('api.delete', { target: t.pods('default', 'web'), options: { gracePeriodSeconds: 0 } });
    await h.settle();
    assert.equal(summary(c.events.get('n2')).at(-1), 'DELETED web');
  } finally {
    await h.close();
  }
});

test('through the apiserver: a watch of one object by name replays and starts with that object alone, in a namespace or across a cluster-scoped kind', async () => {
  h = await start();
  try {
    const c = h.client();
    const first = await c.must('api.create', { target: t.pods(), object: pod('a') });
    const from = (first as { object: KubeObject }).object.metadata!.resourceVersion!;
    for (const n of ['b', 'c']) await c.must('api.create', { target: t.pods(), object: pod(n) });
    await c.must('api.patch', { target: t.pods('default', 'a'), patchType: 'merge', patch: { metadata: { labels: { v: '2' } } } });
    await c.must('api.patch', { target: t.pods('default', 'b'), patchType: 'merge', patch: { metadata: { labels: { v: '2' } } } });
    const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    for (const n of ['n1', 'n2']) await c.must('api.create', { target: t.nodes(), object: node(n) });
    // From a resourceVersion: the window's later events of that key only.
    await c.must('api.watch', { target: t.pods(), id: 'replay-a', options: { fieldSelector: 'metadata.name=a', resourceVersion: from } });
    // Without one: the object alone, as ADDED (a name nothing has: nothing).
    await c.must('api.watch', { target: t.pods(), id: 'initial-b', options: { fieldSelector: 'metadata.name=b' } });
    await c.must('api.watch', { target: t.pods(), id: 'initial-none', options: { fieldSelector: 'metadata.name=zz' } });
    await c.must('api.watch', { target: t.nodes(), id: 'node-n2', options: { fieldSelector: 'metadata.name=n2', resourceVersion: from } });
    // Across namespaces the name does not pin one key: every namespace's object of that name.
    await c.must('api.watch', { target: { ...t.pods(), namespace: undefined } as never, id: 'all-ns-a', options: { fieldSelector: 'metadata.name=a', resourceVersion: from } });
    await h.settle();
    assert.equal(summary(c.events.get('replay-a')), ['MODIFIED a']);
    assert.equal(summary(c.events.get('initial-b')), ['ADDED b']);
    assert.is(c.events.get('initial-none'), undefined);
    assert.equal(summary(c.events.get('node-n2')), ['ADDED n2']);
    assert.equal(summary(c.events.get('all-ns-a')), ['MODIFIED a']);
    await c.must('api.patch', { target: t.pods('default', 'b'), patchType: 'merge', patch: { metadata: { labels: { v: '3' } } } });
    await c.must('api.patch', { target: t.pods('default', 'a'), patchType: 'merge', patch: { metadata: { labels: { v: '3' } } } });
    await h.settle();
    assert.equal(summary(c.events.get('replay-a')), ['MODIFIED a', 'MODIFIED a']);
    assert.equal(summary(c.events.get('initial-b')), ['ADDED b', 'MODIFIED b']);
  } finally {
    await h.close();
  }
});

test.run();
