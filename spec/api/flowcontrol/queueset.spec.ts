/** One priority level's seats, shuffle-sharded queues and fair dispatch. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dealHand, flowHash, QueueSet, type Waiter } from '../../../api/flowcontrol/queueset.ts';

class R implements Waiter {
  queue = -1;
  constructor(readonly flow: string) {}
}

test('a hand is handSize distinct queues, the same for the same flow', () => {
  for (const flow of ['alice', 'bob', 'system:node:n1', '']) {
    const h = flowHash('global-default', flow);
    const hand = dealHand(h, 128, 6);
    assert.is(new Set(hand).size, 6, flow);
    assert.ok(hand.every((q) => q >= 0 && q < 128));
    assert.equal(dealHand(flowHash('global-default', flow), 128, 6), hand);
  }
  assert.equal([...dealHand(12345, 4, 4)].sort(), [0, 1, 2, 3]);
});

test('runs at once while seats are free, queues past them, rejects past the queue length', () => {
  const set = new QueueSet<R>(1, { queues: 1, handSize: 1, queueLengthLimit: 1 });
  const [a, b, c] = [new R('x'), new R('x'), new R('x')];
  assert.is(set.admit(a, () => 1), 'execute');
  assert.is(set.admit(b, () => 1), 'queued');
  assert.is(set.admit(c, () => 1), 'rejected');
  assert.equal(set.finish(a), [b]);
  assert.is(set.executing, 1);
  assert.is(set.waiting, 0);
});

test('a level that rejects never queues', () => {
  const set = new QueueSet<R>(1, null);
  assert.is(set.admit(new R('x'), () => 0), 'execute');
  assert.is(set.admit(new R('x'), () => 0), 'rejected');
});

test('a heavy flow does not starve a light one: dispatch alternates between their queues', () => {
  const set = new QueueSet<R>(1, { queues: 8, handSize: 1, queueLengthLimit: 100 });
  const hash = (flow: string) => () => (flow === 'heavy' ? 0 : 1);
  const first = new R('heavy');
  set.admit(first, hash('heavy'));
  for (let i = 0; i < 20; i++) set.admit(new R('heavy'), hash('heavy'));
  set.admit(new R('light'), hash('light'));
  set.admit(new R('light'), hash('light'));
  const order: string[] = [];
  let running = first;
  for (let i = 0; i < 5; i++) {
    const [next] = set.finish(running);
    order.push(next!.flow);
    running = next!;
  }
  // Both light requests run within the first four dispatches, not after twenty heavy ones.
  assert.is(order.slice(0, 4).filter((f) => f === 'light').length, 2);
});

test('cancel takes a waiting request out', () => {
  const set = new QueueSet<R>(1, { queues: 2, handSize: 1, queueLengthLimit: 5 });
  const a = new R('a');
  const b = new R('b');
  set.admit(a, () => 0);
  set.admit(b, () => 0);
  assert.ok(set.cancel(b));
  assert.not.ok(set.cancel(b));
  assert.equal(set.finish(a), []);
});

test.run();
