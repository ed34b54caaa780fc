import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { safeJson } from '../../../actors/inspect/sanitize.ts';

test('safeJson writes a shared object every time it is reached, and marks only real cycles', () => {
  const shared = [{ reason: 'x' }];
  assert.is(safeJson({ evs: shared, last: { evs: shared } }), '{"evs":[{"reason":"x"}],"last":{"evs":[{"reason":"x"}]}}');
  const loop: Record<string, unknown> = { n: 1 };
  loop.self = loop;
  loop.kids = [{ up: loop }];
  assert.is(safeJson(loop), '{"n":1,"self":"[Circular]","kids":[{"up":"[Circular]"}]}');
});

test('safeJson keeps its path right past replaced values (functions, bytes, bigints)', () => {
  const shared = { a: 1 };
  const v = { f: function named() {}, b: new Uint8Array(3), n: 5n, s: shared, t: [shared] };
  assert.is(safeJson(v), '{"f":{"type":"named"},"b":"<3 bytes>","n":"5","s":{"a":1},"t":[{"a":1}]}');
});

test.run();
