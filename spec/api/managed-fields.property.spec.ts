/**
 * managedFields of ordinary writes (recordUpdate) against their definition, on random chains
 * of pod writes by several managers: the manager's entry gains every leaf of the object's field
 * set ("." aside) whose value changed (`valueAt` of old and new differ), and every entry loses
 * those and the leaves the new object lacks. recordUpdate gets there without building the set
 * of what did not change and without walking what the new object shares with the old; the
 * reference below builds and walks everything. Fixed seed (spec/helpers/fuzz.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/fuzz.ts';
import { recordUpdate, serverSideApply, type ManagedFieldsEntry } from '../../api/patch/apply.ts';
import { fieldSetOf, fromLeaves, isFieldSetOf, ItemIndex, leaves, valueAt, without, type FieldsV1 } from '../../api/patch/fieldset.ts';
import { podKind } from '../../api/kinds/core/pod.ts';
import { deepEqual, deepFreeze, shareUnchanged } from '../../api/json.ts';
import type { KubeObject } from '../../base/object.ts';

type Hit = { found: boolean; value?: unknown };
const same = (o: Hit, n: Hit): boolean => o.found === n.found && (!o.found || deepEqual(o.value, n.value));

/** recordUpdate from the definitions: every leaf of every set looked up by valueAt. */
function reference(old: KubeObject | undefined, next: KubeObject, manager: string, now: string): KubeObject {
  const entries = (old?.metadata?.managedFields ?? []) as ManagedFieldsEntry[];
  const index = new ItemIndex();
  const changed = leaves(fieldSetOf(podKind, next)).filter((p) => p[p.length - 1] !== '.' && !same(valueAt(old, p, index), valueAt(next, p, index)));
  const removed = entries.flatMap((e) => leaves(e.fieldsV1).filter((p) => !valueAt(next, p, index).found));
  const cut = [...changed, ...removed];
  const updated = entries.map((e) => ({ ...e, fieldsV1: without(e.fieldsV1, cut) }));
  const idx = updated.findIndex((e) => e.manager === manager && e.operation === 'Update');
  const prior: FieldsV1 = idx >= 0 ? updated[idx]!.fieldsV1 : {};
  const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion: 'v1', time: now, fieldsType: 'FieldsV1', fieldsV1: fromLeaves([...leaves(prior), ...changed]) };
  const rest = updated.filter((e, i) => i !== idx && Object.keys(e.fieldsV1).length > 0);
  return { ...next, metadata: { ...next.metadata, managedFields: changed.length || Object.keys(prior).length ? [...rest, entry] : rest } };
}

const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
/** A list keyed by `key`, as valid objects have them (a repeated key is refused by validation, and the definition reads the first item). */
const keyed = <T>(item: fc.Arbitrary<T>, key: keyof T, maxLength: number) => fc.uniqueArray(item, { selector: (x) => x[key], maxLength });
/** Small alphabets, so that successive versions share fields; fields absent rather than undefined, as decoded JSON has them. */
const container = fc.record({
  name: pick('a', 'b', 'c'),
  image: pick('busybox', 'nginx'),
  env: keyed(fc.record({ name: pick('E1', 'E2'), value: pick('1', '2') }, { requiredKeys: ['name'] }), 'name', 2),
  ports: keyed(fc.record({ containerPort: pick(80, 81), protocol: pick('TCP', 'UDP') }), 'containerPort', 2),
  args: fc.array(pick('-v', '-q'), { maxLength: 2 }),
}, { requiredKeys: ['name', 'image'] });
const pod = fc.record({
  metadata: fc.record({
    name: fc.constant('p'),
    labels: fc.dictionary(pick('app', 'tier', 'x'), pick('web', 'db'), { maxKeys: 3 }).map((d) => ({ ...d })),
    finalizers: fc.uniqueArray(pick('f/1', 'f/2', 'f/3'), { maxLength: 3 }),
    ownerReferences: keyed(fc.record({ uid: pick('u1', 'u2'), name: pick('rs', 'job'), kind: pick('ReplicaSet', 'Job'), controller: fc.boolean() }, { requiredKeys: ['uid', 'name', 'kind'] }), 'uid', 2),
  }, { requiredKeys: ['name'] }),
  spec: fc.record({
    nodeName: pick('n1', 'n2'),
    containers: keyed(container, 'name', 3),
    tolerations: fc.array(fc.record({ key: pick('k1', 'k2'), operator: pick('Exists', 'Equal') }), { maxLength: 2 }),
    volumes: keyed(fc.record({ name: pick('v1', 'v2'), emptyDir: pick({}, { medium: 'Memory' }) }), 'name', 2),
  }, { requiredKeys: ['containers'] }),
  status: fc.record({ phase: pick('Pending', 'Running') }),
}, { requiredKeys: ['metadata', 'spec'] }).map((p) => ({ apiVersion: 'v1', kind: 'Pod', ...p }) as KubeObject);
const writes = fc.array(fc.record({ obj: pod, manager: pick('kubelet', 'scheduler', 'kube-controller-manager'), apply: fc.boolean() }), { minLength: 1, maxLength: 6 });

const json = (o: KubeObject): string => JSON.stringify(o.metadata?.managedFields);

test('a chain of writes: the same managedFields as the definition, key order included', () =>
  check(fc.property(pod, writes, (first, chain) => {
    let live = deepFreeze(recordUpdate(undefined, first, 'creator', podKind, 't0'));
    let ref = reference(undefined, first, 'creator', 't0');
    assert.is(json(live), json(ref), 'create');
    chain.forEach(({ obj, manager, apply }, i) => {
      if (apply && i === 0) {
        // Server-side apply's sets are not held to recordUpdate's rule: the writes after it must still come out right.
        const a = serverSideApply({ live, config: obj, manager, kind: podKind, now: `a${i}` });
        if (!a.ok) return;
        live = deepFreeze(a.value);
        ref = a.value;
        return;
      }
      // As the write path hands it over: what did not change is the stored object's own.
      live = deepFreeze(recordUpdate(live, shareUnchanged(obj, live), manager, podKind, `t${i}`));
      ref = reference(ref, obj, manager, `t${i}`);
      assert.is(json(live), json(ref), `write ${i} by ${manager}`);
    });
  }), 1500));

test('isFieldSetOf tells a field set by walking the object: exactly when building it gives the same set', () =>
  check(fc.property(pod, pod, (a, b) => {
    const set = fieldSetOf(podKind, a);
    assert.is(isFieldSetOf(podKind, b, set), JSON.stringify(fieldSetOf(podKind, b)) === JSON.stringify(set));
    assert.ok(isFieldSetOf(podKind, a, set));
  }), 1500));

test('isFieldSetOf answers no (build it) for a list that repeats an item', () => {
  const twice = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers: ['f/1', 'f/1'] } };
  assert.not.ok(isFieldSetOf(podKind, twice, fieldSetOf(podKind, twice)));
});

test('creates by one manager in a row: each has its own object\'s set, shared when equal', () => {
  const make = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels }, spec: { containers: [{ name: 'a', image: 'busybox' }] } }) as KubeObject;
  const sets = [make({ app: 'web' }), make({ app: 'db' }), make({ app: 'web', tier: 'x' }), make({ app: 'web' })].map((p) => recordUpdate(undefined, p, 'kube-controller-manager', podKind, 't').metadata!.managedFields as ManagedFieldsEntry[]);
  assert.is(sets[1]![0]!.fieldsV1, sets[0]![0]!.fieldsV1);
  assert.ok(Object.hasOwn(sets[2]![0]!.fieldsV1['f:metadata']!['f:labels']!, 'f:tier'));
  assert.not.ok(Object.hasOwn(sets[3]![0]!.fieldsV1['f:metadata']!['f:labels']!, 'f:tier'));
});

test('a status write that changes no owned field leaves every entry as it was stored', () => {
  const created = deepFreeze(recordUpdate(undefined, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } } as KubeObject, 'kube-controller-manager', podKind, 't0'));
  const patched = recordUpdate(created, { ...created, status: { phase: 'Running' } }, 'kubelet', podKind, 't1');
  assert.is(patched.metadata!.managedFields, patched.metadata!.managedFields);
  assert.equal(patched.metadata!.managedFields, created.metadata!.managedFields);
  assert.is((patched.metadata!.managedFields as unknown[])[0], (created.metadata!.managedFields as unknown[])[0]);
});

test('a field server-side apply deleted (null) leaves its set at the next update, though the update shares the object', () => {
  const created = deepFreeze(recordUpdate(undefined, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'web', tier: 'db' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } } as KubeObject, 'kube-controller-manager', podKind, 't0'));
  const applied = serverSideApply({ live: created, config: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: null } } } as unknown as KubeObject, manager: 'kubectl', kind: podKind, now: 't1', force: true });
  assert.ok(applied.ok);
  const live = deepFreeze(applied.value);
  assert.equal(live.metadata!.labels, { tier: 'db' });
  const updated = recordUpdate(live, shareUnchanged({ ...live, status: { phase: 'Running' } }, live), 'kubelet', podKind, 't2');
  assert.is(json(updated), json(reference(live, { ...live, status: { phase: 'Running' } }, 'kubelet', 't2')));
  assert.not.match(json(updated), 'f:app');
});

test.run();
