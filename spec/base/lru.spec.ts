/** The bounded maps of base/lru.ts: what each keeps when full. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Lru, RecentMap } from '../../base/lru.ts';

test('Lru drops the least recently used entry when full; a read makes an entry recent', () => {
  const l = new Lru<string, number>(2);
  l.set('a', 1);
  l.set('b', 2);
  assert.is(l.get('a'), 1);
  l.set('c', 3);
  assert.is(l.get('b'), undefined, 'b was the least recently used');
  assert.is(l.get('a'), 1);
  assert.is(l.get('c'), 3);
});

test('RecentMap holds at most its capacity, and keeps an entry that is used while others come and go', () => {
  const m = new RecentMap<number, string>(4);
  m.set(0, 'kept');
  for (let i = 1; i <= 100; i++) {
    m.set(i, `v${i}`);
    assert.is(m.get(0), 'kept', `after ${i} others`);
  }
  assert.is(m.get(100), 'v100');
  const held = Array.from({ length: 101 }, (_, i) => m.get(i)).filter((v) => v !== undefined);
  assert.ok(held.length <= 4, `${held.length} held`);
  assert.is(m.get(1), undefined, 'an entry nobody used is gone');
  assert.is(m.get(-1), undefined);
});

test.run();
