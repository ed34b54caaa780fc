import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { add, done, emptyQueue, failed, forget, retryDelay, take } from '../../../machines/controllers/queue.ts';
import { selectControllers } from '../../../actors/controllers/start.ts';
import { CONTROLLERS } from '../../../actors/controllers/registry.ts';

test('keys are deduplicated; a key added while it syncs goes again after', () => {
  let q = add(add(add(emptyQueue(), 'a'), 'b'), 'a');
  assert.equal(q.queue, ['a', 'b']);
  q = take(q);
  assert.is(q.current, 'a');
  q = add(q, 'a');
  assert.equal(q.queue, ['b']);
  q = done(q);
  assert.equal(q.queue, ['b', 'a']);
});

test('retry delay doubles from 5 ms to at most 1000 s and is forgotten on success', () => {
  let q = emptyQueue();
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    q = failed(q, 'k');
    delays.push(retryDelay(q, 'k'));
  }
  assert.equal(delays, [5, 10, 20, 40]);
  for (let i = 0; i < 40; i++) q = failed(q, 'k');
  assert.is(retryDelay(q, 'k'), 1_000_000);
  assert.is(forget(q, 'k').failures.k, undefined);
});

test('--controllers selection: *, names, aliases, -name', () => {
  const byDefault = CONTROLLERS.filter((d) => d.enabledByDefault).map((d) => d.name);
  assert.ok(byDefault.includes('replicaset') && byDefault.includes('deployment'));
  assert.equal(selectControllers('*'), byDefault);
  assert.equal(selectControllers('*,-deployment'), byDefault.filter((n) => n !== 'deployment'));
  assert.equal(selectControllers('replicaset,deployment'), ['replicaset', 'deployment']);
  assert.equal(selectControllers('deployment-controller'), ['deployment']);
  assert.throws(() => selectControllers('nope'), /not in the list of known controllers/);
});

test.run();
