import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, cm, summary, type Harness } from './harness.ts';
import { kvActor } from '../../../actors/kv/actor.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

const state = () => JSON.stringify((h.host.get('apiserver')!.snapshot as { value?: unknown } | undefined)?.value ?? '');

test('the kv watch ending sends the apiserver to degraded; while the kv is away requests are answered 503 at once; it resumes without losing events', async () => {
  const c = h.client();
  await c.must('api.watch', { target: t.cm(), id: 'w' });
  await c.must('api.create', { target: t.cm(), object: cm('before') });
  // The kv actor restarts: its watches end, the apiserver re-watches from its cache's revision.
  h.host.get('kv')!.ref!.send({ type: 'stop' });
  h.host.stop('kv');
  await h.settle();
  assert.match(state(), /degraded/);
  // Storage is unreachable: no waiting for a timeout (the clock does not move here).
  const during = await c.call('api.create', { target: t.cm(), object: cm('during') });
  assert.not.ok(during.ok);
  if (!during.ok) {
    assert.is(during.status.code, 503);
    assert.is(during.status.reason, 'ServiceUnavailable');
    assert.match(during.status.message, /^storage is unavailable: /);
  }
  h.host.spawn(kvActor(h.backend));
  await h.clock.advance(1000);
  await h.settle();
  assert.match(state(), /serving/);
  await c.must('api.create', { target: t.cm(), object: cm('after') });
  await h.settle();
  assert.equal(summary(c.events.get('w')), ['ADDED before', 'ADDED after']);
});

test('a kv crash drops its watches without a word; a write the cache does not see within the wait makes the apiserver watch again', async () => {
  const c = h.client();
  await c.must('api.watch', { target: t.cm(), id: 'w' });
  await c.must('api.create', { target: t.cm(), object: cm('before') });
  await h.settle();
  // The supervisor restarts it (after its back-off): a new incarnation with none of the old watches, and nothing ended.
  h.host.crash('kv', new Error('spec: kv crash'));
  await h.clock.advance(2000);
  await h.settle();
  await c.must('api.create', { target: t.cm(), object: cm('after') });
  await h.settle();
  assert.equal(summary(c.events.get('w')), ['ADDED before'], 'the write is stored, the dead watch does not bring it');
  // Found by `kubeactor simulate --faults kv-restart`: without this, no watch event ever came again.
  await h.clock.advance(3000);
  await h.settle();
  await h.clock.advance(1000);
  await h.settle();
  assert.equal(summary(c.events.get('w')), ['ADDED before', 'ADDED after']);
  await c.must('api.create', { target: t.cm(), object: cm('later') });
  await h.settle();
  assert.equal(summary(c.events.get('w')), ['ADDED before', 'ADDED after', 'ADDED later']);
});

test('stop ends open watches', async () => {
  const c = h.client();
  await c.must('api.watch', { target: t.cm(), id: 'w' });
  h.host.get('apiserver')!.ref!.send({ type: 'apiserver.stop' });
  await h.settle();
  assert.is((c.ended.get('w') as { code?: number } | undefined)?.code, 503);
});

test.run();
