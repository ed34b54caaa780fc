/** Merging, ordering and owning lists of tens of thousands of items: results as for small lists (lists are matched through maps, not scans). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recordUpdate, serverSideApply } from '../../api/patch/apply.ts';
import { strategicMergePatch } from '../../api/patch/strategic.ts';
import { podKind } from '../../api/kinds/core/pod.ts';

const N = 20000;
const env = Array.from({ length: N }, (_, i) => ({ name: `E${i}`, value: 'v' }));
const pod = (list: unknown[], finalizers: string[] = []) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers }, spec: { containers: [{ name: 'c', image: 'i', env: list }] } });
const envOf = (o: any): Array<{ name: string; value?: string }> => o.spec.containers[0].env;

test('strategic merge of a large keyed list: update, delete, add, in place of a scan per item', () => {
  const patch = [...env.filter((_, i) => i % 2 === 0).map((e) => ({ name: e.name, value: 'w' })), { name: 'E1', $patch: 'delete' }, { name: 'NEW', value: 'n' }];
  const r = strategicMergePatch(pod(env), { spec: { containers: [{ name: 'c', env: patch }] } }, podKind);
  assert.ok(r.ok);
  const out = envOf(r.value);
  assert.is(out.length, N);
  assert.equal(out[0], { name: 'E0', value: 'w' });
  assert.equal(out[1], { name: 'E2', value: 'w' });
  assert.equal(out[2], { name: 'E3', value: 'v' });
  assert.equal(out[N - 1], { name: 'NEW', value: 'n' });
  assert.is(envOf(pod(env))[0]!.value, 'v');
});

test('large primitive lists: merge, delete and reorder', () => {
  const fin = env.map((e) => e.name);
  const merged = strategicMergePatch(pod([], fin), { metadata: { finalizers: ['E15', 'X'], '$deleteFromPrimitiveList/finalizers': fin.slice(0, 10) } }, podKind);
  assert.ok(merged.ok);
  const f = (merged.value as any).metadata.finalizers as string[];
  assert.is(f.length, N - 10 + 1);
  assert.is(f[0], 'E10');
  assert.is(f[f.length - 1], 'X');
  const reordered = strategicMergePatch(pod([], fin), { metadata: { '$setElementOrder/finalizers': [...fin].reverse() } }, podKind);
  assert.ok(reordered.ok);
  assert.equal((reordered.value as any).metadata.finalizers, [...fin].reverse());
});

test('apply drops the fields of a large list it no longer applies', () => {
  const first = serverSideApply({ live: undefined, config: pod(env), manager: 'b', kind: podKind, now: 't' });
  assert.ok(first.ok);
  const half = serverSideApply({ live: first.value, config: pod(env.slice(0, N / 2)), manager: 'b', kind: podKind, now: 't' });
  assert.ok(half.ok);
  assert.is(envOf(half.value).length, N / 2);
  assert.equal(envOf(half.value)[N / 2 - 1], { name: `E${N / 2 - 1}`, value: 'v' });
  const updated = recordUpdate(half.value, pod(env.slice(0, N / 2).map((e) => ({ ...e, value: 'u' }))), 'a', podKind, 't');
  const entries = (updated as any).metadata.managedFields as Array<{ manager: string; fieldsV1: Record<string, any> }>;
  assert.equal(entries.map((m) => m.manager), ['b', 'a']);
  const owned = entries[1]!.fieldsV1['f:spec']['f:containers']['k:{"name":"c"}']['f:env'];
  assert.is(Object.keys(owned).length, N / 2);
});

test.run();
