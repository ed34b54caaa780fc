import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { outline } from '../../../actors/replay/replayer.ts';

// A replayed request out of its recorded order is looked for among the recorded requests with
// its payload's JSON, through an index by outline: equal JSON must mean an equal outline.
const sameJson: [unknown, unknown][] = [
  [{ a: 1, b: undefined }, { a: 1 }],
  [[undefined, 2], [null, 2]],
  [{ n: Number.NaN }, { n: null }],
  [{ when: new Date(0) }, { when: '1970-01-01T00:00:00.000Z' }],
  [{ f: () => 1, k: 'x' }, { k: 'x' }],
  [new Map([[1, 2]]), {}],
  [undefined, undefined],
];

test('payloads with the same JSON have the same outline, at every depth', () => {
  for (const [a, b] of sameJson) {
    assert.is(JSON.stringify(a), JSON.stringify(b));
    for (const depth of [0, 1, 2, 3, 4]) assert.is(outline(a, depth), outline(b, depth), `${JSON.stringify(a)} at depth ${depth}`);
  }
});

test("a kv txn's outline holds its keys and revisions, not the objects it writes", () => {
  const txn = (name: string, rev: number, phase: string) => ({ ops: [{ op: 'put', key: `/registry/pods/default/${name}`, value: { status: { phase } }, ifModRevision: rev }] });
  assert.is(outline(txn('a', 5, 'Running'), 3), outline(txn('a', 5, 'Pending'), 3));
  assert.is.not(outline(txn('a', 5, 'Running'), 3), outline(txn('a', 6, 'Running'), 3));
  assert.is.not(outline(txn('a', 5, 'Running'), 3), outline(txn('b', 5, 'Running'), 3));
});

test.run();
