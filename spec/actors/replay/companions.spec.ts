import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { companions } from '../../../actors/replay/companions.ts';
import { defaultRegistry } from '../../../actors/replay/builtins.ts';
import type { Positioned } from '../../../actors/replay/merge.ts';

const start = (i: number, address: string, machine: string): Positioned => ({ kind: 'start', n: i, i, src: 0, at: 0, address, machine });
const recorded = [start(1, 'kv', 'kv'), start(2, 'apiserver', 'apiserver'), start(3, 'informers', 'informers'), start(4, 'scheduler', 'scheduler'), start(5, 'controller.replicaset', 'reconcile'), start(6, 'kubelet.node-1', 'kubelet')];

test('the informer factory runs the handlers of its subscribers: their clocks move with its deliveries', () => {
  const c = companions(recorded, defaultRegistry());
  assert.equal(c.dependents('informers'), ['scheduler', 'controller.replicaset']);
  assert.equal(c.dependents('kv'), []);
  assert.is(c.missing('controller.replicaset'), undefined);
});

test('a controller recorded without a factory (an older build) is unverifiable, with the reason', () => {
  const old = recorded.filter((e) => e.kind !== 'start' || e.machine !== 'informers');
  const c = companions(old, defaultRegistry());
  assert.match(c.missing('controller.replicaset') ?? '', /reads the in-process state of a "informers" actor, which this recording does not have/);
  assert.is(c.missing('kv'), undefined);
});

test.run();
