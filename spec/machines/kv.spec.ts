import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { VirtualClock } from '../../actors/clock/virtual.ts';
import { kvMachine, watchKey, type KvChartEvent } from '../../machines/kv.ts';

/** The chart with every effect recorded instead of performed. */
function start() {
  const ran: string[] = [];
  const names = ['get', 'range', 'txn', 'watch', 'refuseWatch', 'unwatch', 'compact', 'status', 'endWatch', 'dropWatcher', 'probeWatchers', 'endAllWatches'] as const;
  const actions = Object.fromEntries(names.map((n) => [n, () => void ran.push(n)]));
  const clock = new VirtualClock();
  const actor = createActor(kvMachine.provide({ actions }), { clock });
  actor.start();
  return { actor, ran, clock };
}

const env = (type: string, from: string, payload: unknown, seq = 1): KvChartEvent =>
  ({ type, payload, from, to: 'kv', corr: `${from}#${seq}`, seq, at: 0 }) as KvChartEvent;

test('requests run their named effect and are counted', () => {
  const { actor, ran } = start();
  actor.send(env('kv.get', 'apiserver', { key: '/a' }));
  actor.send(env('kv.txn', 'apiserver', { ops: [] }));
  actor.send(env('kv.txn', 'apiserver', { ops: [] }));
  actor.send(env('kv.status', 'apiserver', {}));
  assert.equal(ran, ['get', 'txn', 'txn', 'status']);
  const { counts } = actor.getSnapshot().context;
  assert.is(counts['kv.txn'], 2);
  assert.is(counts['kv.get'], 1);
  assert.is(actor.getSnapshot().value, 'serving');
});

test('the chart owns the watch set: open, refuse a duplicate id, unwatch, end, watcher gone', () => {
  const { actor, ran } = start();
  actor.send(env('kv.watch', 'apiserver', { id: 'w1', prefix: '/a', afterRevision: 0 }));
  actor.send(env('kv.watch', 'apiserver', { id: 'w1', prefix: '/b', afterRevision: 0 }));
  actor.send(env('kv.watch', 'apiserver', { id: 'w2', prefix: '/b', afterRevision: 3 }));
  actor.send(env('kv.watch', 'other', { id: 'w1', prefix: '/c', afterRevision: 0 }));
  assert.equal(ran, ['watch', 'refuseWatch', 'watch', 'watch']);
  assert.equal(Object.keys(actor.getSnapshot().context.watches).sort(), [watchKey('apiserver', 'w1'), watchKey('apiserver', 'w2'), watchKey('other', 'w1')]);

  actor.send(env('kv.unwatch', 'apiserver', { id: 'w1' }));
  actor.send(env('kv.unwatch', 'apiserver', { id: 'nope' }));
  actor.send({ type: 'watchEnded', key: watchKey('apiserver', 'w2'), code: 410, reason: 'compacted', notify: true });
  assert.equal(Object.keys(actor.getSnapshot().context.watches), [watchKey('other', 'w1')]);
  actor.send({ type: 'watcherGone', address: 'other' });
  const ctx = actor.getSnapshot().context;
  assert.equal(ctx.watches, {});
  assert.is(ctx.watchesOpened, 3);
  assert.is(ctx.watchesEnded, 3);
  assert.equal(ran.slice(4), ['unwatch', 'endWatch', 'dropWatcher']);
});

test('stop ends every watch and reaches the final state', () => {
  const { actor, ran } = start();
  actor.send(env('kv.watch', 'apiserver', { id: 'w', prefix: '/', afterRevision: 0 }));
  actor.send({ type: 'stop' });
  assert.is(actor.getSnapshot().status, 'done');
  assert.equal(ran, ['watch', 'endAllWatches']);
  assert.equal(actor.getSnapshot().context.watches, {});
});

test('watchers are probed every probeInterval, and only while there are watches', async () => {
  const { actor, ran, clock } = start();
  await clock.advance(30_000);
  assert.equal(ran, []);
  actor.send(env('kv.watch', 'apiserver', { id: 'w', prefix: '/', afterRevision: 0 }));
  await clock.advance(30_000);
  await clock.advance(30_000);
  assert.equal(ran, ['watch', 'probeWatchers', 'probeWatchers']);
  actor.stop();
});

test.run();
