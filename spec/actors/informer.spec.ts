import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, cm, pod, type Harness } from './apiserver/harness.ts';
import { Informer } from '../../actors/informer.ts';
import { NAMESPACE_INDEX, NODE_NAME_INDEX, OWNER_UID_INDEX } from '../../actors/informers/indexer.ts';
import { expired } from '../../base/status.ts';
import type { Envelope } from '../../base/envelope.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

/** A component port that forwards to its informer, and the keys the handlers enqueued. */
function component(address: string, opts: { resyncMs?: number; labelSelector?: string } = {}) {
  const queue: string[] = [];
  let informer: Informer | undefined;
  const port = h.bus.register(address, (env: Envelope) => {
    informer?.handle(env);
  });
  informer = new Informer({
    port,
    clock: h.clock,
    target: t.cm(),
    labelSelector: opts.labelSelector,
    resyncMs: opts.resyncMs,
    handlers: {
      add: (k) => queue.push(`add ${k}`),
      update: (k) => queue.push(`update ${k}`),
      delete: (k) => queue.push(`delete ${k}`),
    },
  });
  return { informer, queue, port };
}

test('lists, then follows the watch; handlers get keys', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  const { informer, queue } = component('controller.test');
  assert.not.ok(informer.hasSynced());
  await informer.start();
  assert.ok(informer.hasSynced());
  assert.equal(queue, ['add default/a']);
  const b = (await c.must('api.create', { target: t.cm(), object: cm('b') })).object;
  await c.must('api.update', { target: t.cm('default', 'b'), object: { ...b, data: { z: '1' } } });
  await c.must('api.delete', { target: t.cm('default', 'a') });
  await h.settle();
  assert.equal(queue, ['add default/a', 'add default/b', 'update default/b', 'delete default/a']);
  assert.equal(informer.keys(), ['default/b']);
  assert.equal(informer.get('default/b')!.data, { z: '1' });
  informer.stop();
});

test('re-lists after the watch ends and reports the difference', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  const { informer, queue } = component('controller.relist');
  await informer.start();
  // The apiserver ends every watch (as after re-initializing its cache); changes happen meanwhile.
  h.core.apiserver().context.watchers.endAll(expired('too old resource version: 1 (2)'));
  await c.must('api.create', { target: t.cm(), object: cm('b') });
  await c.must('api.delete', { target: t.cm('default', 'a') });
  await h.settle();
  assert.is(informer.lists, 2);
  assert.equal(informer.keys(), ['default/b']);
  assert.ok(queue.includes('add default/b') && queue.includes('delete default/a'), queue.join(', '));
  await c.must('api.create', { target: t.cm(), object: cm('c') });
  await h.settle();
  assert.ok(informer.get('default/c'), 'watching again after the re-list');
  informer.stop();
});

test('resync reports every key as updated on the clock', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  const { informer, queue } = component('controller.resync', { resyncMs: 30_000 });
  await informer.start();
  await h.clock.advance(30_000);
  await h.settle();
  assert.equal(queue, ['add default/a', 'update default/a']);
  informer.stop();
});

test('label-selected informer sees objects leave its selection as deletes', async () => {
  const c = h.client();
  const a = (await c.must('api.create', { target: t.cm(), object: cm('a', {}, { app: 'web' }) })).object;
  const { informer, queue } = component('controller.sel', { labelSelector: 'app=web' });
  await informer.start();
  await c.must('api.update', { target: t.cm('default', 'a'), object: { ...a, metadata: { ...a.metadata, labels: { app: 'db' } } } });
  await h.settle();
  assert.equal(queue, ['add default/a', 'delete default/a']);
  informer.stop();
});

test('a watch batch that skips a number (one lost on the bus) makes the informer re-list', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  const queue: string[] = [];
  let lose = false;
  let informer: Informer | undefined;
  // The component's port, losing the next watch batch when told to (as NATS does across an outage).
  const port = h.bus.register('controller.lossy', (env: Envelope) => {
    if (lose && env.type === 'api.watch-events') {
      lose = false;
      return;
    }
    informer?.handle(env);
  });
  informer = new Informer({ port, clock: h.clock, target: t.cm(), handlers: { add: (k) => queue.push(`add ${k}`), delete: (k) => queue.push(`delete ${k}`) } });
  await informer.start();
  await h.settle();
  lose = true;
  await c.must('api.delete', { target: t.cm('default', 'a') });
  await h.settle();
  assert.equal(informer.keys(), ['default/a'], 'the delete was lost');
  await c.must('api.create', { target: t.cm(), object: cm('b') });
  await h.settle();
  assert.equal(informer.keys(), ['default/b']);
  assert.is(informer.lists, 2);
  assert.equal(queue, ['add default/a', 'delete default/a', 'add default/b']);
  informer.stop();
});

test('indexes by namespace, owner uid and node name stay right across updates, deletes and a re-list', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.ns(), object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } } });
  const owner = (uid: string) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, controller: true }] });
  await c.must('api.create', { target: t.pods(), object: pod('a', { nodeName: 'n1', metadata: { name: 'a', ...owner('u1') } }) });
  await c.must('api.create', { target: t.pods('other'), object: pod('b', { metadata: { name: 'b', ...owner('u1') } }) });
  const port = h.bus.register('controller.indexed', (env: Envelope) => void informer.handle(env));
  const informer = new Informer({ port, clock: h.clock, target: t.pods('') , handlers: {} });
  await informer.start();
  const names = (objs: { metadata?: { name?: string } }[]) => objs.map((o) => o.metadata?.name).sort();
  assert.equal(names(informer.byIndex(NAMESPACE_INDEX, 'default')), ['a']);
  assert.equal(names(informer.byIndex(OWNER_UID_INDEX, 'u1')), ['a', 'b']);
  assert.equal(names(informer.byIndex(NODE_NAME_INDEX, 'n1')), ['a']);
  // A watched update moves b to another owner; a watched delete removes a.
  const b = (await c.must('api.get', { target: t.pods('other', 'b') })) as { metadata: Record<string, unknown> };
  await c.must('api.update', { target: t.pods('other', 'b'), object: { ...b, metadata: { ...b.metadata, ...owner('u2') } } });
  await c.must('api.delete', { target: t.pods('default', 'a'), options: { gracePeriodSeconds: 0 } });
  await h.settle();
  assert.equal(names(informer.byIndex(OWNER_UID_INDEX, 'u1')), []);
  assert.equal(names(informer.byIndex(OWNER_UID_INDEX, 'u2')), ['b']);
  assert.equal(names(informer.byIndex(NODE_NAME_INDEX, 'n1')), []);
  // Changes made while no watch runs arrive through the re-list's difference.
  h.core.apiserver().context.watchers.endAll(expired('too old resource version: 1 (2)'));
  await c.must('api.create', { target: t.pods(), object: pod('c', { nodeName: 'n1', metadata: { name: 'c', ...owner('u2') } }) });
  await c.must('api.delete', { target: t.pods('other', 'b'), options: { gracePeriodSeconds: 0 } });
  await h.settle();
  assert.is(informer.lists, 2);
  assert.equal(names(informer.byIndex(OWNER_UID_INDEX, 'u2')), ['c']);
  assert.equal(names(informer.byIndex(NAMESPACE_INDEX, 'other')), []);
  assert.equal(names(informer.byIndex(NODE_NAME_INDEX, 'n1')), ['c']);
  assert.throws(() => informer.byIndex('no-such-index', 'x'), /Index with name no-such-index does not exist/);
  informer.stop();
});

test.run();
