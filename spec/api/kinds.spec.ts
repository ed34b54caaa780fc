import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allKinds, apiVersionOf, groupResource, kindByGvk, kindByResource, KindRegistry, kindRegistry, resolveResource, type KindInfo } from '../../api/kinds.ts';
import { defineKind, KIND_PARTS, missingParts, OPTIONAL_STRATEGY_HOOKS, type KindSpec } from '../../api/kinds/info.ts';
import { isStruct } from '../../api/validation/schema/walk.ts';
import { findUnknownFields } from '../../api/validation/unknown.ts';
import { MESSAGES } from '../../actors/apiserver/http/protobuf/messages.ts';
import { fixtureName, KIND_FIXTURES } from './kinds/fixtures.ts';

const pod = kindByResource('', 'pods')!;

for (const k of allKinds()) {
  test(`${k.gr}: every part is there and holds together`, () => {
    assert.equal(missingParts(k), []);
    assert.is(k.gr, groupResource(k.group, k.resource));
    assert.is(kindByResource(k.group, k.resource), k);
    assert.is(kindByGvk(apiVersionOf(k), k.kind), k);
    assert.is(k.listKind, `${k.kind}List`);
    assert.is(k.singular, k.kind.toLowerCase());
    assert.is(k.hasStatus, k.subresources.includes('status'));
    // A served-not-stored kind (metrics.k8s.io) states its OpenAPI schema: no kubernetes-types module has it.
    if (k.servedBy) assert.ok(k.openapiSchema, `${k.gr} states its OpenAPI schema`);
    else assert.ok(isStruct(k.schema), `schema root ${k.schema} is in types.generated.ts (run the schema generator)`);
    if (k.protobuf !== null) assert.ok(MESSAGES[k.protobuf], `protobuf root ${k.protobuf} is in messages.ts`);
    assert.ok(k.printer.columns.some((c) => c.name === 'Name'));
    for (const h of OPTIONAL_STRATEGY_HOOKS) assert.ok(k.strategy[h] === undefined || typeof k.strategy[h] === 'function', `strategy.${h}`);
    for (const f of k.fieldLabels) assert.ok(/^[a-zA-Z.]+$/.test(f), f);
    for (const f of k.indexFields) assert.ok(k.fieldLabels.includes(f), `index field ${f} is a field label`);
  });

  test(`${k.gr}: its fixture is valid once defaulted, has no unknown field, and is not mutated by defaulting`, () => {
    const make = KIND_FIXTURES[k.gr];
    assert.ok(make, `spec/api/kinds/fixtures.ts has a fixture for ${k.gr}`);
    if (!make) return;
    const obj = make(fixtureName(k.gr, 'fixture'));
    // As the apiserver defaults it: named, stamped with a uid (a Job's selector is made from it).
    obj.metadata = { ...obj.metadata, uid: 'u-1', ...(k.namespaced ? { namespace: 'default' } : {}) };
    const before = JSON.stringify(obj);
    const defaulted = k.defaults(obj);
    assert.is(JSON.stringify(obj), before);
    assert.equal(k.validate(defaulted), []);
    assert.equal(findUnknownFields(k, obj), []);
    assert.is(obj.apiVersion, apiVersionOf(k));
    assert.is(obj.kind, k.kind);
  });
}

test('a descriptor missing any part is refused, naming the part', () => {
  for (const part of KIND_PARTS) {
    const spec: Partial<KindSpec> = { ...pod };
    delete spec[part];
    assert.equal(missingParts(spec), [part], part);
    assert.throws(() => defineKind(spec as KindSpec), new RegExp(`missing ${part}`));
    assert.throws(() => new KindRegistry().register(spec as KindInfo), new RegExp(`missing ${part}`));
  }
  const noCreate = { ...pod, strategy: { tracksGeneration: false, allowCreateOnUpdate: false } } as unknown as KindSpec;
  assert.equal(missingParts(noCreate), ['strategy.prepareForCreate']);
  assert.equal(missingParts({ ...pod, printer: { columns: [], cells: () => [] } }), ['printer.columns']);
});

test('strategy hooks are optional, but one that is there must be a function', () => {
  const cm = kindByResource('', 'configmaps')!;
  for (const h of OPTIONAL_STRATEGY_HOOKS) assert.is(cm.strategy[h], undefined, `a ConfigMap has no ${h}`);
  assert.equal(missingParts(cm), []);
  for (const h of OPTIONAL_STRATEGY_HOOKS) {
    const bad = { ...pod, strategy: { ...pod.strategy, [h]: 30 } } as unknown as KindSpec;
    assert.equal(missingParts(bad), [`strategy.${h}`], h);
    assert.throws(() => defineKind(bad), new RegExp(`missing strategy.${h}`));
  }
});

test('the pod and namespace strategies hold their deletion rules', () => {
  const ns = kindByResource('', 'namespaces')!;
  const bound = { spec: { nodeName: 'n1', terminationGracePeriodSeconds: 12 }, status: { phase: 'Running' } };
  assert.is(pod.strategy.checkGracefulDelete?.(bound, undefined), 12);
  assert.is(pod.strategy.checkGracefulDelete?.(bound, { gracePeriodSeconds: 3 }), 3);
  assert.is(pod.strategy.checkGracefulDelete?.({ spec: { nodeName: 'n1' } }, undefined), 30, 'the default terminationGracePeriodSeconds');
  assert.is(pod.strategy.checkGracefulDelete?.({ spec: {} }, undefined), 0, 'an unbound pod goes at once');
  assert.is(pod.strategy.checkGracefulDelete?.({ ...bound, status: { phase: 'Succeeded' } }, undefined), 0, 'a finished pod goes at once');
  const created = ns.strategy.prepareForCreate({ metadata: { name: 'a' } });
  assert.equal(ns.strategy.specFinalizers?.(created), ['kubernetes']);
  assert.equal(ns.strategy.prepareForDelete?.(created).status, { phase: 'Terminating' });
  assert.is(ns.strategy.checkGracefulDelete, undefined);
});

test('the registry fails fast on duplicates', () => {
  assert.throws(() => new KindRegistry([pod, pod]), /duplicate kind registration: resource pods/);
  assert.throws(() => new KindRegistry([pod, { ...pod, resource: 'pods2', gr: 'pods2' }]), /duplicate kind registration: kind v1\/Pod/);
  assert.throws(() => new KindRegistry([pod, { ...pod, resource: 'x', gr: 'x', kind: 'X' }]), /duplicate kind registration: short name \/po/);
  const r = new KindRegistry([pod]);
  assert.throws(() => r.register(pod), /duplicate/);
  assert.is(r.all().length, 1, 'a refused registration changes nothing');
});

test('kinds register and unregister while running, and listeners hear of it', () => {
  const r = new KindRegistry(allKinds());
  const heard: number[] = [];
  const stop = r.onChange((kinds) => heard.push(kinds.length));
  const widget = defineKind({ ...pod, group: 'example.com', kind: 'Widget', resource: 'widgets', shortNames: ['wg'], categories: [], subresources: [] });
  const before = r.all();
  r.register(widget);
  assert.is(r.byResource('example.com', 'widgets'), widget);
  assert.is(r.byGvk('example.com/v1', 'Widget'), widget);
  assert.is(r.resolve('wg'), widget);
  assert.is.not(r.all(), before, 'a new array after a change');
  assert.ok(r.unregister('widgets.example.com'));
  assert.not.ok(r.unregister('widgets.example.com'));
  assert.is(r.byGvk('example.com/v1', 'Widget'), undefined);
  stop();
  r.register(widget);
  assert.equal(heard, [before.length + 1, before.length]);
  assert.is(kindRegistry.byResource('example.com', 'widgets'), undefined, 'the process registry is another instance');
});

test('lookups miss cleanly and resolve what users type', () => {
  assert.is(kindByResource('', 'deployments'), undefined, 'deployments are not in the core group');
  assert.is(kindByGvk('apps/v1beta1', 'Deployment'), undefined);
  assert.is(resolveResource('deploy')?.kind, 'Deployment');
  assert.is(resolveResource('Pod')?.resource, 'pods');
  assert.is(resolveResource('pdb')?.kind, 'PodDisruptionBudget');
  assert.is(resolveResource('cj')?.gr, 'cronjobs.batch');
});

test('CronJob merges its job template pod spec as the workloads do', () => {
  const cj = kindByResource('batch', 'cronjobs')!;
  const job = kindByResource('batch', 'jobs')!;
  assert.equal(cj.patchMeta['spec.jobTemplate.spec.template.spec.containers'], job.patchMeta['spec.template.spec.containers']);
  assert.equal(cj.patchMeta['spec.jobTemplate.spec.template.spec.containers[].env'], { strategy: 'merge', key: 'name' });
  assert.equal(cj.patchMeta['spec.jobTemplate.spec.template.spec.volumes'], { strategy: 'merge', key: 'name', retainKeys: true });
});

test.run();
