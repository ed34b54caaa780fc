/**
 * The simulation's faulty kv (actors/simulate/faulty-kv.ts): slow writes apply in call order,
 * and each txn held behind a slow one applies at idle — its watch events leave the store in a
 * turn of their own, never in the microtask cascade of the txn before it, because a replay
 * (which has no faulty kv) feeds the kv's recorded events at idle. Found by the two-hour
 * default simulation of seed 1: four txns released together sent their events while the
 * disruption controller's sync was still settling, and the replay ran one sync more.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock, settle } from '../../../actors/clock/virtual.ts';
import { MemoryKv } from '../../../actors/kv/memory.ts';
import { FaultyKv } from '../../../actors/simulate/faulty-kv.ts';
import type { KvOp } from '../../../actors/kv/backend.ts';

const put = (key: string): KvOp[] => [{ op: 'put', key, value: { key } }];

test('txns held behind a slow one apply in call order, each after the event loop idled', async () => {
  const clock = new VirtualClock();
  const kv = new FaultyKv(new MemoryKv(), clock);
  kv.setDecision((ops) => (ops[0]!.key === '/a' ? { do: 'slow', ms: 50 } : { do: 'pass' }));
  const seen: string[] = [];
  kv.watch('/', 0, {
    events(batch) {
      for (const e of batch) {
        const key = e.kv.key;
        seen.push(key);
        // Runs once the loop idles after this event: before the next txn applies, if that one waits for idle.
        setImmediate(() => seen.push(`idle after ${key}`));
      }
    },
    end() {},
  });
  const replies = [kv.txn(put('/a')), kv.txn(put('/b')), kv.txn(put('/c'))];
  const read = await kv.get('/b');
  assert.is(read.kv, null, 'held behind the slow txn, /b is not in the store yet');
  await clock.advance(50);
  for (let i = 0; i < 6; i++) await settle();
  assert.equal(seen, ['/a', 'idle after /a', '/b', 'idle after /b', '/c', 'idle after /c']);
  const revisions = (await Promise.all(replies)).map((r) => r.revision);
  assert.equal(revisions, [1, 2, 3]);
});

test('with nothing slow ahead, a txn applies within the call, as the plain store does', async () => {
  const clock = new VirtualClock();
  const kv = new FaultyKv(new MemoryKv(), clock);
  const p = kv.txn(put('/x'));
  assert.is(kv.revision(), 1, 'applied before the call returned');
  assert.is((await p).revision, 1);
});

test.run();
