/**
 * CRD fidelity through the real kubectl: a version's selectableFields as field selectors
 * (`kubectl get --field-selector`, listed and watched), an invalid one refused at CRD create,
 * and a Terminating CRD refusing new custom resources while its cleanup finalizer waits.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCluster, type Cluster } from './cluster.ts';
import { eventually } from '../helpers/wait.ts';
import { processesNaming } from '../helpers/processes.ts';

let c: Cluster;

test.before(async () => {
  c = await startCluster({ controllers: 'apiextensions' });
});
test.after(async () => {
  await c.stop();
});

/** A namespaced CRD of example.com with these versions (YAML list items). */
const definition = (plural: string, kind: string, versions: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${plural}.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: ${plural}, kind: ${kind}}
  versions:
${versions}`;

/** One version, v1, whose selectableFields are `selectable`. */
const crd = (plural: string, kind: string, selectable: string) => definition(plural, kind, `  - name: v1
    served: true
    storage: true
    selectableFields: ${selectable}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              color: {type: string}
              size: {type: integer}
              weight: {type: number}
`);

const widget = (name: string, color: string, size: number, extra = '') => `apiVersion: example.com/v1
kind: Widget
metadata: {name: ${name}, namespace: default${extra}}
spec: {color: ${color}, size: ${size}}
`;

const until = (what: string, check: () => Promise<boolean>) => eventually(check, { what, timeoutMs: 10_000, intervalMs: 100 });

test('a selectable field of a type other than string, integer or boolean is refused at CRD create', async () => {
  const r = await c.kubectl(['apply', '-f', '-'], crd('scales', 'Scale', '[{jsonPath: .spec.weight}, {jsonPath: .spec.colour}]'));
  assert.is(r.code, 1);
  assert.match(r.stderr, 'The CustomResourceDefinition "scales.example.com" is invalid:');
  assert.match(r.stderr, 'spec.versions[0].selectableFields[0].jsonPath: Invalid value: ".spec.weight": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.');
  assert.match(r.stderr, 'spec.versions[0].selectableFields[1].jsonPath: Invalid value: ".spec.colour": is an invalid path: does not refer to a valid field');
  assert.is((await c.kubectl(['get', 'crd', 'scales.example.com'])).code, 1);
});

test('kubectl get --field-selector lists by a selectable field; others get upstream\'s 400', async () => {
  let r = await c.kubectl(['apply', '-f', '-'], crd('widgets', 'Widget', '[{jsonPath: .spec.color}, {jsonPath: .spec.size}]'));
  assert.is(r.code, 0, r.stderr);
  assert.is((await c.kubectl(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=10s'])).code, 0);
  r = await c.kubectl(['apply', '-f', '-'], [widget('a', 'blue', 1), widget('b', 'red', 2), widget('c', 'blue', 3)].join('---\n'));
  assert.is(r.code, 0, r.stderr);
  r = await c.kubectl(['get', 'widgets', '--field-selector', 'spec.color=blue', '-o', 'name']);
  assert.is(r.stdout, 'widget.example.com/a\nwidget.example.com/c\n', r.stderr);
  r = await c.kubectl(['get', 'widgets', '--field-selector', 'spec.color=blue,spec.size!=1', '-o', 'name']);
  assert.is(r.stdout, 'widget.example.com/c\n', r.stderr);
  r = await c.kubectl(['get', 'widgets', '--field-selector', 'spec.size=2,metadata.name=b', '-o', 'name']);
  assert.is(r.stdout, 'widget.example.com/b\n', r.stderr);
  r = await c.kubectl(['get', 'widgets', '--field-selector', 'spec.weight=1']);
  assert.is(r.code, 1);
  assert.is(r.stderr.trim(), 'Error from server (BadRequest): Unable to find "example.com/v1, Resource=widgets" that match label selector "", field selector "spec.weight=1": field label not supported: spec.weight');
});

test('kubectl get --watch --field-selector sees objects enter and leave the selection', async () => {
  // The label selector matches every widget; it names the process, so the spec can see it gone.
  const w = c.background(['get', 'widgets', '-l', '!crdextras-watch', '--field-selector', 'spec.color=blue', '--watch', '--output-watch-events']);
  try {
    await until('the initial list', async () => /ADDED\s+c\s/.test(w.output()));
    let r = await c.kubectl(['apply', '-f', '-'], [widget('d', 'blue', 4), widget('e', 'red', 5)].join('---\n'));
    assert.is(r.code, 0, r.stderr);
    r = await c.kubectl(['patch', 'widget', 'a', '--type=merge', '-p', '{"spec":{"color":"red"}}']);
    assert.is(r.code, 0, r.stderr);
    await until('a to leave the selection', async () => /DELETED\s+a\s/.test(w.output()));
  } finally {
    const out = await w.stop();
    // EVENT NAME AGE: the event and the name of each row.
    const lines = out.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '));
    assert.equal(lines, ['EVENT NAME', 'ADDED a', 'ADDED c', 'ADDED d', 'DELETED a'], out.stdout + out.stderr);
    assert.equal(processesNaming('!crdextras-watch'), [], 'the watching kubectl is gone');
  }
});

test('a Terminating CRD refuses new custom resources with 405 until its objects are gone', async () => {
  let r = await c.kubectl(['apply', '-f', '-'], widget('held', 'green', 9, ', finalizers: [example.com/hold]'));
  assert.is(r.code, 0, r.stderr);
  r = await c.kubectl(['delete', 'crd', 'widgets.example.com', '--wait=false']);
  assert.is(r.code, 0, r.stderr);
  await until('the held widget alone to remain', async () => (await c.kubectl(['get', 'widgets', '-o', 'name'])).stdout === 'widget.example.com/held\n');
  r = await c.kubectl(['get', 'crd', 'widgets.example.com', '-o', 'jsonpath={.status.conditions[?(@.type=="Terminating")]}']);
  const cond = JSON.parse(r.stdout) as { status: string; reason: string; message: string };
  assert.equal([cond.status, cond.reason, cond.message], ['True', 'InstanceDeletionInProgress', 'CustomResource deletion is in progress']);

  r = await c.kubectl(['create', '-f', '-'], widget('late', 'blue', 1));
  assert.is(r.code, 1);
  assert.is(r.stderr.trim(), 'Error from server (MethodNotAllowed): error when creating "STDIN": create not allowed while custom resource definition is terminating');
  r = await c.kubectl(['create', '--raw', '/apis/example.com/v1/namespaces/default/widgets', '-f', '-'], JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'late' } }));
  assert.is(r.code, 1);
  assert.match(r.stderr, /MethodNotAllowed.*create not allowed while custom resource definition is terminating/, r.stderr);
  // Updates go on: the finalizer can still be removed, and then the CRD goes, its last state
  // Terminating False InstanceDeletionCompleted.
  const w = c.background(['get', 'crd', 'widgets.example.com', '--watch', '-o', 'jsonpath={.status.conditions}{"\\n"}']);
  try {
    await until('the watch to start', async () => w.output().includes('InstanceDeletionInProgress'));
    r = await c.kubectl(['patch', 'widget', 'held', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    assert.is(r.code, 0, r.stderr);
    await until('the CRD to go', async () => (await c.kubectl(['get', 'crd', 'widgets.example.com'])).code === 1);
    await eventually(() => w.output().includes('"reason":"InstanceDeletionCompleted","status":"False","type":"Terminating"'), { what: 'the last state', timeoutMs: 10_000, intervalMs: 100, detail: () => w.output() });
  } finally {
    await w.stop();
  }
});

const GADGETS = definition('gadgets', 'Gadget', `  - name: v1beta1
    served: true
    storage: false
    additionalPrinterColumns: [{name: Colour, type: string, jsonPath: .spec.color}]
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns: [{name: Size, type: integer, jsonPath: .spec.size}, {name: Shade, type: string, jsonPath: .spec.color, priority: 1}]
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`);

test("each served version prints its own additionalPrinterColumns", async () => {
  let r = await c.kubectl(['apply', '-f', '-'], GADGETS);
  assert.is(r.code, 0, r.stderr);
  assert.is((await c.kubectl(['wait', '--for=condition=Established', 'crd/gadgets.example.com', '--timeout=10s'])).code, 0);
  r = await c.kubectl(['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1, namespace: default}\nspec: {color: teal, size: 7}\n');
  assert.is(r.code, 0, r.stderr);
  const rows = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
  r = await c.kubectl(['get', 'gadgets.v1beta1.example.com']);
  assert.equal(rows(r.stdout), ['NAME COLOUR', 'g1 teal'], r.stderr);
  r = await c.kubectl(['get', 'gadgets.v1.example.com']);
  assert.equal(rows(r.stdout), ['NAME SIZE', 'g1 7'], r.stderr);
  r = await c.kubectl(['get', 'gadgets.v1.example.com', '-o', 'wide']);
  assert.equal(rows(r.stdout), ['NAME SIZE SHADE', 'g1 7 teal'], r.stderr);
  // The preferred version (v1) is what a bare resource name prints.
  r = await c.kubectl(['get', 'gadgets']);
  assert.equal(rows(r.stdout), ['NAME SIZE', 'g1 7'], r.stderr);
  assert.is((await c.kubectl(['delete', 'crd', 'gadgets.example.com', '--timeout=20s'])).code, 0);
});

test.run();
