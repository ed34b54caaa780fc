import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Expectations } from '../../../actors/controllers/expectations.ts';
import { ownedPods, ownerHandlers, type OwnedPodsOptions } from '../../../actors/controllers/owned-pods.ts';
import { keyOf } from '../../../actors/informer.ts';
import { BUILTIN_INDEXES, Indexer } from '../../../actors/informers/indexer.ts';

const rs = (name: string, uid: string, app: string): ReplicaSet => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: 'default', uid },
  spec: { selector: { matchLabels: { app } } },
});
const pod = (name: string, rv: string, labels: Record<string, string>, owner?: ReplicaSet, extra: Record<string, unknown> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    resourceVersion: rv,
    labels,
    ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner.metadata!.name as string, uid: owner.metadata!.uid as string, controller: true }] } : {}),
    ...extra,
  },
});

function setup(extra: Partial<OwnedPodsOptions<ReplicaSet>> = {}) {
  const owners = [rs('web', 'u-web', 'web'), rs('web-too', 'u-web-too', 'web'), rs('db', 'u-db', 'db')];
  const byKey = new Map(owners.map((o) => [keyOf(o), o]));
  // The owners' cache with the informer's own indexes (orphans look up owners by namespace).
  const index = new Indexer<ReplicaSet>(BUILTIN_INDEXES);
  for (const [k, o] of byKey) index.update(k, o);
  const queued: string[] = [];
  const expectations = new Expectations(() => 0);
  const o = ownedPods({
    kind: 'ReplicaSet',
    owners: { get: (k) => byKey.get(k), byIndex: (name, value) => index.keys(name, value).map((k) => byKey.get(k)!) },
    enqueue: (k) => void queued.push(k),
    expectations,
    ...extra,
  });
  return { ...o, owners, queued, expectations };
}

test("an owned pod's change enqueues its owner (and observes its creation)", () => {
  const { handlers, owners, queued, expectations } = setup();
  expectations.expectCreations('default/web', 1);
  const p = pod('web-1', '1', { app: 'web' }, owners[0]);
  handlers.add(p);
  assert.equal(queued, ['default/web']);
  assert.ok(expectations.satisfied('default/web'));
  handlers.update(p, { ...p, metadata: { ...p.metadata, resourceVersion: '2' } });
  assert.equal(queued, ['default/web', 'default/web']);
  // A resync (same resourceVersion) enqueues nothing.
  handlers.update(p, p);
  assert.equal(queued.length, 2);
});

test('a controllerRef whose uid does not match the cached owner enqueues nothing', () => {
  const { handlers, queued } = setup();
  handlers.add(pod('web-1', '1', { app: 'web' }, rs('web', 'u-old', 'web')));
  assert.equal(queued, []);
});

test('an orphan enqueues every owner whose selector matches it; a relabel enqueues the new matches', () => {
  const { handlers, queued } = setup();
  const p = pod('stray', '1', { app: 'web' });
  handlers.add(p);
  assert.equal(queued, ['default/web', 'default/web-too']);
  queued.length = 0;
  handlers.update(p, pod('stray', '2', { app: 'db' }));
  assert.equal(queued, ['default/db']);
  queued.length = 0;
  // Unchanged labels on an orphan: no one new to adopt it.
  handlers.update(pod('stray', '2', { app: 'db' }), pod('stray', '3', { app: 'db' }));
  assert.equal(queued, []);
});

test('with adoptOrphans false an orphan enqueues nothing', () => {
  const { handlers, queued } = setup({ adoptOrphans: false });
  handlers.add(pod('stray', '1', { app: 'web' }));
  assert.equal(queued, []);
});

test("a deleted pod's last state enqueues its owner and observes the expected deletion", () => {
  const { handlers, owners, queued, expectations } = setup();
  const p = pod('web-1', '1', { app: 'web' }, owners[0]);
  expectations.expectDeletions('default/web', ['default/web-1']);
  handlers.delete(p);
  assert.equal(queued, ['default/web']);
  assert.ok(expectations.satisfied('default/web'));
  // An orphan's deletion concerns no owner.
  queued.length = 0;
  handlers.delete(pod('stray', '1', { app: 'web' }));
  assert.equal(queued, []);
});

test('a pod marked for deletion counts as deleted; a released pod enqueues its former owner', () => {
  const { handlers, owners, queued } = setup();
  const p = pod('web-1', '1', { app: 'web' }, owners[0]);
  handlers.update(p, pod('web-1', '2', { app: 'web' }, owners[0], { deletionTimestamp: '2026-01-01T00:00:00Z' }));
  assert.equal(queued, ['default/web']);
  queued.length = 0;
  handlers.update(p, pod('web-1', '3', { app: 'web' }));
  // The former owner, then the owners that may adopt the new orphan.
  assert.equal(queued, ['default/web', 'default/web', 'default/web-too']);
});

test('onOwnedUpdate sees the owner, the old and the new pod', () => {
  const seen: string[] = [];
  const { handlers, owners } = setup({ onOwnedUpdate: (o, old, cur) => void seen.push(`${o.metadata?.name}:${old.metadata?.resourceVersion}->${cur.metadata?.resourceVersion}`) });
  handlers.update(pod('web-1', '1', { app: 'web' }, owners[0]), pod('web-1', '2', { app: 'web' }, owners[0]));
  assert.equal(seen, ['web:1->2']);
});

test("the owners' handlers enqueue the owner; a deleted owner's expectations are dropped", () => {
  const queued: string[] = [];
  const expectations = new Expectations(() => 0);
  const h = ownerHandlers({ enqueue: (k) => void queued.push(k), expectations });
  const web = rs('web', 'u-web', 'web');
  h.add(web);
  h.update(web, web);
  expectations.expectCreations('default/web', 2);
  h.delete(web);
  assert.equal(queued, ['default/web', 'default/web', 'default/web']);
  assert.is(expectations.pending('default/web'), undefined);
});

test.run();
