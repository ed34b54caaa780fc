/**
 * One decorated object per stored version (WatchCache.served): a write's reply is the object the
 * watch cache serves for that version, whichever comes first — the revision's kv event (one
 * process: the cache has it already) or the reply (the events come later: etcd, NATS). A reply
 * whose event is overtaken by a later write's is not taken for that later version.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WatchCache } from '../../../actors/apiserver/watch-cache.ts';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import type { KvEvent } from '../../../bus/catalogue/kv.ts';

const KEY = '/registry/configmaps/default/a';
const value = (v: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' }, data: { v } });
/** The kv's event for a put: its value a copy (as etcd's decoded one), not the object written. */
const put = (v: string, rev: number): KvEvent => ({ type: 'put', kv: { key: KEY, value: structuredClone(value(v)), createRevision: 1, modRevision: rev, version: rev } });

function cache(): WatchCache {
  const c = new WatchCache(new VirtualClock());
  c.prime([], 1);
  return c;
}

test('the reply first: the cache takes the reply\'s object when the revision\'s event arrives', () => {
  const c = cache();
  const reply = c.served(KEY, value('1'), 2);
  assert.is(reply.metadata?.resourceVersion, '2');
  c.applyKv([put('1', 2)]);
  assert.ok(c.object('configmaps', 'default', 'a') === reply);
});

test('the event first: the reply is the cache\'s object for that revision', () => {
  const c = cache();
  c.applyKv([put('1', 2)]);
  const reply = c.served(KEY, value('1'), 2);
  assert.ok(c.object('configmaps', 'default', 'a') === reply);
  // A later version in the cache: the reply is its own, of its revision.
  c.applyKv([put('2', 3)]);
  const late = c.served(KEY, value('1'), 2);
  assert.is(late.metadata?.resourceVersion, '2');
  assert.equal(late.data, { v: '1' });
  assert.ok(c.object('configmaps', 'default', 'a') !== late);
});

test('two writes\' replies before their events: each event takes its own version\'s object', () => {
  const c = cache();
  const first = c.served(KEY, value('1'), 2);
  const second = c.served(KEY, value('2'), 3);
  c.applyKv([put('1', 2)]);
  const atTwo = c.object('configmaps', 'default', 'a')!;
  assert.ok(atTwo !== first && atTwo !== second, 'the overtaken reply is not taken');
  assert.equal([atTwo.metadata?.resourceVersion, atTwo.data], ['2', { v: '1' }]);
  c.applyKv([put('2', 3)]);
  assert.ok(c.object('configmaps', 'default', 'a') === second);
});

test('a re-list forgets the replies waiting for their events', () => {
  const c = cache();
  const reply = c.served(KEY, value('1'), 2);
  c.prime([{ key: KEY, value: value('1'), createRevision: 2, modRevision: 2, version: 1 }], 2);
  c.applyKv([put('9', 3)]);
  assert.ok(c.object('configmaps', 'default', 'a') !== reply);
  assert.equal(c.object('configmaps', 'default', 'a')!.data, { v: '9' });
});

test.run();
