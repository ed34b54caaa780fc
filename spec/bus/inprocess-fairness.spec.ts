import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InProcessBus } from '../../bus/inprocess.ts';
import type { Port } from '../../bus/bus.ts';

test('two actors that answer each other from promise callbacks do not starve timers', async () => {
  const bus = new InProcessBus();
  const LIMIT = 2_000_000;
  let n = 0;
  let timerFiredAt: number | null = null;
  const done = new Promise<void>((resolve) => {
    const bounce = (self: () => Port, other: string) => () => {
      if (++n >= LIMIT) return resolve();
      // Answer from a microtask, as an async handler does: the next drain is queued from a microtask too.
      void Promise.resolve().then(() => self().send(other, 'sys.note', { n }));
    };
    const a: Port = bus.register('a', bounce(() => a, 'b'));
    const b: Port = bus.register('b', bounce(() => b, 'a'));
    a.send('b', 'sys.note', { n: 0 });
  });
  setTimeout(() => (timerFiredAt = n), 5);
  await done;
  assert.ok(timerFiredAt !== null, 'the timer fired while the actors were still talking');
  assert.ok(timerFiredAt! < LIMIT);
  await bus.close();
});

test.run();
