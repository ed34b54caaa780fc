import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILTIN_INDEXES, Indexer, type Indexable } from '../../../actors/informers/indexer.ts';
import { claimCandidates } from '../../../actors/informers/shared.ts';
import { keyOf } from '../../../actors/informer.ts';

const owner = { metadata: { name: 'web', namespace: 'a', uid: 'u-web' } };
const obj = (name: string, namespace: string, refs: { uid: string; controller?: boolean }[] = []): Indexable => ({
  metadata: { name, namespace, uid: `u-${name}`, ...(refs.length ? { ownerReferences: refs } : {}) },
});

/** An informer view over `objects` with the informers' own indexes. */
function view(objects: Indexable[]) {
  const byKey = new Map(objects.map((o) => [keyOf(o), o]));
  const index = new Indexer<Indexable>(BUILTIN_INDEXES);
  for (const [k, o] of byKey) index.update(k, o);
  return { byIndex: (name: string, value: string) => index.keys(name, value).map((k) => byKey.get(k)!) };
}

test("a controller's candidates: what it owns and its namespace's orphans, each once, nothing else", () => {
  const objects = [
    obj('controlled', 'a', [{ uid: 'u-web', controller: true }]),
    obj('held-not-controlled', 'a', [{ uid: 'u-web' }]),
    obj('orphan', 'a'),
    obj('orphan-elsewhere', 'b'),
    obj('someone-elses', 'a', [{ uid: 'u-other', controller: true }]),
  ];
  const names = claimCandidates(view(objects), owner).map((o) => o.metadata?.name).sort();
  assert.equal(names, ['controlled', 'held-not-controlled', 'orphan']);
});

test('with nothing owned the orphans alone; with no orphans what it owns alone', () => {
  assert.equal(claimCandidates(view([obj('orphan', 'a')]), owner).map((o) => o.metadata?.name), ['orphan']);
  assert.equal(claimCandidates(view([obj('mine', 'a', [{ uid: 'u-web', controller: true }])]), owner).map((o) => o.metadata?.name), ['mine']);
});

test.run();
