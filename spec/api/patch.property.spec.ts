/**
 * Property-based tests of the four patch kinds against their specifications: RFC 7386 (JSON
 * merge patch), RFC 6902 with RFC 6901 pointers (JSON patch), Kubernetes' strategic merge
 * patch on lists with a patchMergeKey, and server-side apply's idempotence. Fixed seed
 * (spec/helpers/fuzz.ts); a failure prints the counterexample to turn into a plain spec.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { check } from '../helpers/fuzz.ts';
import { applyMergePatch, createMergePatch, mergePatch } from '../../api/patch/merge.ts';
import { applyJsonPatch, formatPointer, parsePointer } from '../../api/patch/json.ts';
import { strategicMergePatch } from '../../api/patch/strategic.ts';
import { serverSideApply } from '../../api/patch/apply.ts';
import { SCALE } from '../../api/patch/meta.ts';
import { kindByGvk } from '../../api/kinds.ts';
import { deepEqual, isObject } from '../../api/json.ts';
import type { KubeObject } from '../../base/object.ts';

const POD = kindByGvk('v1', 'Pod')!;
/** fast-check's dictionaries have a null prototype; JSON.parse never makes one. */
const plain = <T extends object>(d: T): T => Object.assign({}, d);
const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', '', '~', 'a/b', '0', '1', '-');
/** JSON values with a small key alphabet, so patches and documents touch the same fields. */
const { value: json } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, 1, -1, 2.5, 'x', 'y', ''),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }).map(plain),
  ),
}));
const noNulls = (v: unknown): boolean =>
  v !== null && (Array.isArray(v) ? v.every(noNulls) : isObject(v) ? Object.values(v).every(noNulls) : true);
const object = fc.dictionary(key, json, { maxKeys: 5 }).map(plain);
const frozen = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

// ---- RFC 7386 -------------------------------------------------------------------------

test('merge patch: applying the patch computed from a to b yields b (objects without nulls)', () =>
  check(fc.property(object.filter(noNulls), object.filter(noNulls), (a, b) => {
    assert.equal(mergePatch(a, createMergePatch(a, b)), b);
  }), 500));

test('merge patch: idempotent, and the inputs are not changed', () =>
  check(fc.property(json, json, (t, p) => {
    const [t0, p0] = [frozen(t), frozen(p)];
    const once = mergePatch(t, p);
    assert.equal(mergePatch(once, p), once);
    assert.equal(t, t0);
    assert.equal(p, p0);
  }), 500));

test('merge patch: a null member removes the key, a non-object patch replaces the target (RFC 7386 §2)', () =>
  check(fc.property(object, object, (t, p) => {
    const out = mergePatch(t, p) as Record<string, unknown>;
    for (const [k, v] of Object.entries(p)) {
      if (v === null) assert.not.ok(Object.hasOwn(out, k), `key ${k} must be gone`);
      else assert.ok(Object.hasOwn(out, k));
      if (v !== null && !isObject(v)) assert.equal(out[k], v);
    }
    for (const k of Object.keys(t)) if (!Object.hasOwn(p, k)) assert.equal(out[k], t[k]);
  }), 500));

test('merge patch: the apiserver takes only an object as the patch document', () =>
  check(fc.property(object, json.filter((v) => !isObject(v)), (t, p) => {
    const r = applyMergePatch(t, p);
    assert.not.ok(r.ok);
    assert.is(!r.ok && r.status.code, 400);
  }), 200));

// ---- RFC 6902 -------------------------------------------------------------------------

const pointer = fc.array(key, { maxLength: 3 }).map(formatPointer);
const op = fc.oneof(
  fc.record({ op: fc.constantFrom('add', 'replace', 'test'), path: pointer, value: json }),
  fc.record({ op: fc.constant('remove'), path: pointer }),
  fc.record({ op: fc.constantFrom('move', 'copy'), from: pointer, path: pointer }),
);
const garbageOp = fc.oneof(op, json, fc.record({ op: fc.string(), path: fc.oneof(fc.string(), json) }), fc.record({ op: fc.constantFrom('add', 'move'), path: fc.string(), from: json })).map(frozen);

test('JSON pointer: parse ∘ format is the identity on tokens (RFC 6901 escaping)', () =>
  check(fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', '~', '/', '0', '1', 'é') })), (tokens) => {
    assert.equal(parsePointer(formatPointer(tokens)), tokens);
  }), 500));

test('JSON patch: any patch gives a document or a 400/413/422 Status, never throws, never changes its input', () =>
  check(fc.property(json, fc.oneof(fc.array(garbageOp, { maxLength: 6 }), json), (doc, patch) => {
    const [d0, p0] = [frozen(doc), frozen(patch)];
    const r = applyJsonPatch(doc, patch);
    if (!r.ok) {
      assert.ok([400, 413, 422].includes(r.status.code), `code ${r.status.code}: ${r.status.message}`);
      assert.is(r.status.kind, 'Status');
    }
    assert.equal(doc, d0);
    assert.equal(patch, p0);
  }), 1500));

test('JSON patch: operations apply in order and atomically (RFC 6902 §3, §5)', () =>
  check(fc.property(object, fc.array(op, { minLength: 1, maxLength: 5 }), (doc, ops) => {
    const all = applyJsonPatch(doc, ops);
    let cur: Result = { ok: true, value: doc };
    for (const o of ops) {
      if (!cur.ok) break;
      cur = applyJsonPatch(cur.value, [o]);
    }
    assert.is(all.ok, cur.ok);
    if (all.ok && cur.ok) assert.equal(all.value, cur.value);
  }), 1000));

type Result = { ok: true; value: unknown } | { ok: false };

test('JSON patch: add then test the same value succeeds; add of a new member then remove restores the document', () =>
  check(fc.property(object, fc.array(key, { minLength: 1, maxLength: 3 }), json, (doc, tokens, value) => {
    const path = formatPointer(tokens);
    const added = applyJsonPatch(doc, [{ op: 'add', path, value }]);
    if (!added.ok) return;
    // "-" names the slot past a list's end: it can be added to, never tested (RFC 6902 §4.1).
    if (tokens[tokens.length - 1] !== '-') assert.ok(applyJsonPatch(added.value, [{ op: 'test', path, value }]).ok, 'test after add');
    if (tokensExist(doc, tokens)) return;
    const back = applyJsonPatch(added.value, [{ op: 'remove', path }]);
    assert.ok(back.ok);
    if (back.ok) assert.equal(back.value, doc);
  }), 1000));

function tokensExist(doc: unknown, tokens: string[]): boolean {
  let cur: unknown = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) return true; // an array insert shifts: not a plain add/remove pair
    if (!isObject(cur) || !Object.hasOwn(cur, t)) return false;
    cur = cur[t];
  }
  return true;
}

test('JSON patch: move is remove then add; copy leaves the source in place (RFC 6902 §4.4, §4.5)', () =>
  check(fc.property(object, key, key, (doc, a, b) => {
    fc.pre(Object.hasOwn(doc, a) && a !== b);
    const moved = applyJsonPatch(doc, [{ op: 'move', from: `/${a.replace(/~/g, '~0').replace(/\//g, '~1')}`, path: formatPointer([b]) }]);
    assert.ok(moved.ok);
    if (!moved.ok) return;
    const out = moved.value as Record<string, unknown>;
    assert.not.ok(Object.hasOwn(out, a));
    assert.equal(out[b], doc[a]);
    const copied = applyJsonPatch(doc, [{ op: 'copy', from: formatPointer([a]), path: formatPointer([b]) }]);
    assert.ok(copied.ok && deepEqual((copied.value as Record<string, unknown>)[a], (copied.value as Record<string, unknown>)[b]));
  }), 500));

// ---- strategic merge patch ---------------------------------------------------------------

const noDirectives = (v: unknown): boolean =>
  Array.isArray(v) ? v.every(noDirectives) : isObject(v) ? Object.entries(v).every(([k, x]) => !k.startsWith('$') && noDirectives(x)) : true;

test('strategic merge: on a kind without merge lists it is the JSON merge patch', () =>
  check(fc.property(object, object.filter(noDirectives), (orig, patch) => {
    const r = strategicMergePatch(orig, patch, SCALE);
    assert.ok(r.ok);
    if (r.ok) assert.equal(r.value, mergePatch(orig, patch));
  }), 800));

const name = fc.constantFrom('a', 'b', 'c', 'd');
const container = fc.record({ name, image: fc.constantFrom('busybox', 'nginx'), args: fc.array(fc.constantFrom('x', 'y'), { maxLength: 2 }) }, { requiredKeys: ['name'] });
const containers = fc.uniqueArray(container, { selector: (c) => c.name, maxLength: 4 });
const patchItem = fc.oneof(
  fc.record({ name, image: fc.constantFrom('busybox', 'nginx', 'redis'), args: fc.array(fc.constantFrom('x', 'z'), { maxLength: 2 }) }, { requiredKeys: ['name'] }),
  fc.record({ name, $patch: fc.constant('delete') }),
);
const podOf = (cs: unknown[], finalizers: string[]): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers }, spec: { containers: cs } }) as KubeObject;
const finalizers = fc.uniqueArray(fc.constantFrom('f1', 'f2', 'f3', 'f4'), { maxLength: 3 });

test('strategic merge: containers merge by name (patchMergeKey), $patch: delete removes, order kept, new items appended', () =>
  check(fc.property(containers, fc.uniqueArray(patchItem, { selector: (p) => p.name, maxLength: 4 }), finalizers, finalizers, (cs, ps, f0, f1) => {
    const r = strategicMergePatch(podOf(cs, f0), { metadata: { finalizers: f1 }, spec: { containers: ps } }, POD);
    assert.ok(r.ok, !r.ok ? r.status.message : '');
    if (!r.ok) return;
    const got = (r.value.spec as { containers: Array<Record<string, unknown>> }).containers;
    const expected: Array<Record<string, unknown>> = cs.map((c) => ({ ...c }));
    for (const p of ps) {
      const at = expected.findIndex((c) => c.name === p.name);
      if ('$patch' in p) { if (at >= 0) expected.splice(at, 1); continue; }
      if (at >= 0) expected[at] = { ...expected[at], ...p };
      else expected.push({ ...p });
    }
    assert.equal(got, expected);
    // A list of strings with patchStrategy merge: the union, original order first.
    assert.equal((r.value.metadata as { finalizers: string[] }).finalizers, [...f0, ...f1.filter((f) => !f0.includes(f))]);
  }), 800));

test('strategic merge: idempotent for patches without directives', () =>
  check(fc.property(containers, fc.uniqueArray(patchItem.filter((p) => !('$patch' in p)), { selector: (p) => p.name, maxLength: 4 }), finalizers, (cs, ps, f) => {
    const patch = { metadata: { finalizers: f, labels: { a: 'b' } }, spec: { containers: ps } };
    const once = strategicMergePatch(podOf(cs, []), patch, POD);
    assert.ok(once.ok);
    if (!once.ok) return;
    const twice = strategicMergePatch(once.value, patch, POD);
    assert.ok(twice.ok);
    if (twice.ok) assert.equal(twice.value, once.value);
  }), 500));

test('strategic merge: garbage patches give a 400 Status or a result, never throw', () =>
  check(fc.property(fc.oneof(object, fc.constant(podOf([{ name: 'a' }], ['f']) as unknown as Record<string, unknown>)), json, (orig, patch) => {
    const r = strategicMergePatch(orig, patch, POD);
    if (!r.ok) assert.is(r.status.code, 400);
  }), 1000));

// ---- server-side apply ----------------------------------------------------------------

const config = fc.record({
  labels: fc.dictionary(fc.constantFrom('app', 'tier', 'x'), fc.constantFrom('web', 'db', '1'), { maxKeys: 3 }).map(plain),
  containers: fc.uniqueArray(fc.record({ name, image: fc.constantFrom('busybox', 'nginx') }), { selector: (c) => c.name, minLength: 1, maxLength: 3 }),
}).map(({ labels, containers }) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels }, spec: { containers } }) as KubeObject);

test('server-side apply: applying the same configuration again changes nothing', () =>
  check(fc.property(fc.option(config, { nil: undefined }), config, fc.constantFrom('kubectl', 'helm'), (live0, cfg, manager) => {
    const now = '2026-01-01T00:00:00Z';
    let live = live0;
    if (live0) {
      const seeded = serverSideApply({ live: undefined, config: live0, manager: 'other', kind: POD, now });
      assert.ok(seeded.ok);
      live = seeded.ok ? seeded.value : undefined;
    }
    const once = serverSideApply({ live, config: cfg, manager, kind: POD, now, force: true });
    assert.ok(once.ok, !once.ok ? once.status.message : '');
    if (!once.ok) return;
    const twice = serverSideApply({ live: once.value, config: cfg, manager, kind: POD, now });
    assert.ok(twice.ok, !twice.ok ? twice.status.message : '');
    if (twice.ok) assert.equal(twice.value, once.value);
    // Every applied field holds the applied value.
    const labels = (once.value.metadata as { labels?: Record<string, string> }).labels ?? {};
    for (const [k, v] of Object.entries((cfg.metadata as { labels: Record<string, string> }).labels)) assert.is(labels[k], v);
  }), 400));

test.run();
