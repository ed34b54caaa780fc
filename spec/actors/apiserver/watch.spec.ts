import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, cm, pod, summary, type Harness } from './harness.ts';
import { approxJsonSize } from '../../../api/limits.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

test('watch without resourceVersion: current objects as ADDED, then live events', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  await c.must('api.watch', { target: t.cm(), id: 'w1' });
  await h.settle();
  assert.equal(summary(c.events.get('w1')), ['ADDED a']);
  const b = (await c.must('api.create', { target: t.cm(), object: cm('b') })).object;
  await c.must('api.update', { target: t.cm('default', 'b'), object: { ...b, data: { x: 'y' } } });
  await c.must('api.delete', { target: t.cm('default', 'a') });
  await h.settle();
  assert.equal(summary(c.events.get('w1')), ['ADDED a', 'ADDED b', 'MODIFIED b', 'DELETED a']);
  const deleted = c.events.get('w1')!.at(-1)!.object;
  assert.ok(Number(deleted.metadata!.resourceVersion) > Number(b.metadata!.resourceVersion));
});

test('resume from a resourceVersion gets exactly the later events', async () => {
  const c = h.client();
  const a = (await c.must('api.create', { target: t.cm(), object: cm('a') })).object;
  await c.must('api.create', { target: t.cm(), object: cm('b') });
  await c.must('api.delete', { target: t.cm('default', 'a') });
  await c.must('api.watch', { target: t.cm(), id: 'w', options: { resourceVersion: a.metadata!.resourceVersion } });
  await h.settle();
  assert.equal(summary(c.events.get('w')), ['ADDED b', 'DELETED a']);
});

test('too old resourceVersion is 410 Expired', async () => {
  await h.close();
  h = await start({ watchWindow: 2 });
  const c = h.client();
  const a = (await c.must('api.create', { target: t.cm(), object: cm('a') })).object;
  for (const n of ['b', 'c', 'd']) await c.must('api.create', { target: t.cm(), object: cm(n) });
  const r = await c.call('api.watch', { target: t.cm(), id: 'old', options: { resourceVersion: a.metadata!.resourceVersion } });
  assert.ok(!r.ok);
  if (!r.ok) {
    assert.is(r.status.code, 410);
    assert.is(r.status.reason, 'Expired');
    assert.match(r.status.message, new RegExp(`^too old resource version: ${a.metadata!.resourceVersion} \\(\\d+\\)$`));
  }
});

test('the window is bounded in bytes too: big objects push old events out, and a watch from them is 410 Expired', async () => {
  await h.close();
  // Room for about three 100 KB ConfigMaps, however many events the count bound allows.
  h = await start({ watchWindowBytes: 350 * 1024 });
  const c = h.client();
  const blob = (n: number) => ({ blob: String(n).repeat(100 * 1024) });
  const first = (await c.must('api.create', { target: t.cm(), object: cm('big', blob(1)) })).object;
  let last = first;
  for (let i = 2; i <= 8; i++) last = (await c.must('api.update', { target: t.cm('default', 'big'), object: { ...last, data: blob(i) } })).object;
  await h.settle();
  const rc = h.core.apiserver().context.cache.resource('configmaps');
  assert.ok(rc.windowBytes <= 350 * 1024, `window holds ${rc.windowBytes} bytes`);
  assert.ok(rc.window.length >= 2 && rc.window.length <= 3, `${rc.window.length} events kept`);
  // Each event's weight came from the one before it and the walk of what the update changed: the same as weighing it whole.
  assert.is(rc.windowBytes, rc.window.reduce((n, ev) => n + approxJsonSize(ev.object), 0));
  const r = await c.call('api.watch', { target: t.cm(), id: 'old', options: { resourceVersion: first.metadata!.resourceVersion } });
  assert.not.ok(r.ok);
  if (!r.ok) {
    assert.is(r.status.code, 410);
    assert.is(r.status.reason, 'Expired');
    assert.match(r.status.message, new RegExp(`^too old resource version: ${first.metadata!.resourceVersion} \\(\\d+\\)$`));
  }
  // A recent version is still in the window: the watch resumes and sees the later update.
  const recent = String(Number(last.metadata!.resourceVersion) - 1);
  await c.must('api.watch', { target: t.cm(), id: 'recent', options: { resourceVersion: recent } });
  await h.settle();
  assert.equal(summary(c.events.get('recent')), ['MODIFIED big']);
});

test('namespace, label and field filters; match changes become ADDED / DELETED', async () => {
  const c = h.client();
  await c.must('api.create', { target: t.ns(), object: { metadata: { name: 'other' } } });
  await c.must('api.watch', { target: t.cm(), id: 'labels', options: { labelSelector: 'app=web' } });
  await c.must('api.watch', { target: t.pods(), id: 'node', options: { fieldSelector: 'spec.nodeName=n1' } });
  const x = (await c.must('api.create', { target: t.cm(), object: cm('x', {}, { app: 'db' }) })).object;
  await c.must('api.create', { target: t.cm('other'), object: cm('y', {}, { app: 'web' }) });
  const x2 = (await c.must('api.update', { target: t.cm('default', 'x'), object: { ...x, metadata: { ...x.metadata, labels: { app: 'web' } } } })).object;
  const x3 = (await c.must('api.update', { target: t.cm('default', 'x'), object: { ...x2, data: { k: 'v' } } })).object;
  await c.must('api.update', { target: t.cm('default', 'x'), object: { ...x3, metadata: { ...x3.metadata, labels: { app: 'db' } } } });
  await c.must('api.create', { target: t.pods(), object: pod('p') });
  await c.must('api.create', { target: t.pods(), object: { ...pod('bindme') } });
  await c.must('api.create', { target: t.pods('default', 'bindme', 'binding'), object: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bindme' }, target: { kind: 'Node', name: 'n1' } } });
  await h.settle();
  assert.equal(summary(c.events.get('labels')), ['ADDED x', 'MODIFIED x', 'DELETED x']);
  const del = c.events.get('labels')!.at(-1)!.object;
  assert.equal(del.metadata!.labels, { app: 'web' }, 'DELETED carries the last matching state');
  assert.equal(summary(c.events.get('node')), ['ADDED bindme']);
});

test('bookmarks: initial-events-end with sendInitialEvents, then periodic', async () => {
  await h.close();
  h = await start({ tickMs: 60_000 });
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  await c.must('api.watch', { target: t.cm(), id: 'bm', allowWatchBookmarks: true, sendInitialEvents: true, options: { resourceVersionMatch: 'NotOlderThan' } });
  await h.settle();
  const evs = c.events.get('bm')!;
  assert.equal(summary(evs), ['ADDED a', 'BOOKMARK']);
  assert.equal(evs[1]!.object.metadata!.annotations, { 'k8s.io/initial-events-end': 'true' });
  await c.must('api.watch', { target: t.cm(), id: 'plain' });
  await h.clock.advance(60_000);
  await h.settle();
  assert.equal(summary(c.events.get('bm')), ['ADDED a', 'BOOKMARK', 'BOOKMARK']);
  assert.equal(summary(c.events.get('plain')), ['ADDED a'], 'no bookmarks unless asked for');
});

test('unwatch stops delivery; watchers whose address is gone are dropped', async () => {
  const c = h.client();
  await c.must('api.watch', { target: t.cm(), id: 'u' });
  c.port.send('apiserver', 'api.unwatch', { id: 'u' });
  await h.settle();
  await c.must('api.create', { target: t.cm(), object: cm('after') });
  await h.settle();
  assert.equal(summary(c.events.get('u')), []);

  const gone = h.client('gone');
  await gone.must('api.watch', { target: t.cm(), id: 'g' });
  const before = h.core.apiserver().context.watchers.size;
  gone.port.close();
  await h.clock.advance(60_000);
  await h.settle();
  assert.is(h.core.apiserver().context.watchers.size, before - 1);
});

test('events arrive in batches, one message per watcher per tick', async () => {
  const c = h.client();
  await c.must('api.watch', { target: t.cm(), id: 'batch' });
  let messages = 0;
  const off = h.bus.tap((env) => {
    if (env.type === 'api.watch-events' && env.to === 'spec') messages++;
  });
  await Promise.all(['a', 'b', 'c', 'd'].map((n) => c.must('api.create', { target: t.cm(), object: cm(n) })));
  await h.settle();
  off();
  assert.is(c.events.get('batch')!.length, 4);
  assert.ok(messages < 4, `expected batching, got ${messages} messages`);
});

test.run();
