/**
 * A real operator's CRDs, unchanged (spec/fixtures/operators/forklift, see its SOURCE.md),
 * through the real kubectl: all applied from the folder and Established, listed by
 * `kubectl get crd`, a Provider written from its schema applied and printed with the
 * CRD's printer columns, `kubectl explain` reading the published schema, and a bad
 * Provider refused with the schema's message.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startCluster, must, type Cluster } from './cluster.ts';

const DIR = fileURLToPath(new URL('../fixtures/operators/forklift/', import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
/** The CRD names, as the files are named `<group>_<plural>.yaml` by controller-gen. */
const NAMES = FILES.map((f) => {
  const [group, plural] = f.replace(/\.yaml$/, '').split('_');
  return `${plural}.${group}`;
});

let c: Cluster;

test.before(async () => {
  c = await startCluster({ controllers: 'apiextensions' });
});
test.after(async () => {
  await c.stop();
});

const PROVIDER = `apiVersion: forklift.konveyor.io/v1beta1
kind: Provider
metadata: {name: vsphere, namespace: default}
spec:
  type: vsphere
  url: https://vcenter.example.com/sdk
  secret: {name: vsphere-credentials, namespace: default}
  settings: {vddkInitImage: example.com/vddk:8}
`;

test('every CRD of the folder applies with kubectl apply -f DIR and is Established', async () => {
  assert.is(FILES.length, 8);
  const out = must(await c.kubectl(['apply', '-f', DIR]), 'apply the forklift CRDs');
  const created = out.trim().split('\n').sort();
  assert.equal(created, NAMES.map((n) => `customresourcedefinition.apiextensions.k8s.io/${n} created`).sort());
  must(await c.kubectl(['wait', '--for=condition=Established', ...NAMES.map((n) => `crd/${n}`), '--timeout=15s']), 'wait Established');
  // Applied again: controller-gen's `creationTimestamp: null` and empty `status` differ from the
  // live object, so kubectl sends a patch and says "configured" (as against a real apiserver); the
  // one file without them is "unchanged". The server changes nothing: the generation stays 1.
  const again = must(await c.kubectl(['apply', '-f', DIR]), 'apply again');
  assert.equal(again.trim().split('\n').sort(), NAMES.map((n) => `customresourcedefinition.apiextensions.k8s.io/${n} ${n.startsWith('forkliftcontrollers.') ? 'unchanged' : 'configured'}`).sort());
  const generations = must(await c.kubectl(['get', 'crd', ...NAMES, '-o', 'jsonpath={range .items[*]}{.metadata.generation}{end}']), 'generations');
  assert.is(generations, '1'.repeat(NAMES.length));
});

test('kubectl get crd lists them all, and api-resources serves the group', async () => {
  const out = must(await c.kubectl(['get', 'crd']), 'get crd');
  for (const n of NAMES) assert.match(out, new RegExp(`^${n.replaceAll('.', '\\.')}\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`, 'm'));
  const storedVersions = must(await c.kubectl(['get', 'crd', 'plans.forklift.konveyor.io', '-o', 'jsonpath={.status.storedVersions}|{.status.acceptedNames.kind}']), 'storedVersions');
  assert.is(storedVersions, '["v1beta1"]|Plan');
  const res = must(await c.kubectl(['api-resources', '--api-group=forklift.konveyor.io', '--no-headers']), 'api-resources');
  for (const kind of ['ForkliftController', 'Hook', 'Host', 'Migration', 'NetworkMap', 'Plan', 'Provider', 'StorageMap']) {
    assert.match(res, new RegExp(`forklift\\.konveyor\\.io/v1beta1\\s+true\\s+${kind}$`, 'm'));
  }
});

test('a Provider applies and kubectl get prints the CRD\'s printer columns', async () => {
  const r = await c.kubectl(['apply', '-f', '-'], PROVIDER);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), 'provider.forklift.konveyor.io/vsphere created');
  const out = must(await c.kubectl(['get', 'providers']), 'get providers');
  assert.match(out, /^NAME\s+TYPE\s+STATUS\s+READY\s+CONNECTED\s+INVENTORY\s+URL\s+AGE\nvsphere\s+vsphere\s+https:\/\/vcenter\.example\.com\/sdk\s+\d+s\n$/);
  // The status subresource is served: the controller's status write shows in the columns.
  const status = JSON.stringify({ status: { phase: 'Ready', conditions: [
    { type: 'Ready', status: 'True', category: 'Required', lastTransitionTime: '2026-01-01T00:00:00Z' },
    { type: 'ConnectionTestSucceeded', status: 'True', category: 'Required', lastTransitionTime: '2026-01-01T00:00:00Z' },
  ] } });
  must(await c.kubectl(['patch', 'provider', 'vsphere', '--subresource=status', '--type=merge', '-p', status]), 'patch status');
  const after = must(await c.kubectl(['get', 'provider', 'vsphere', '--no-headers']), 'get provider');
  assert.match(after, /^vsphere\s+vsphere\s+Ready\s+True\s+True\s+https:\/\/vcenter\.example\.com\/sdk\s+\d+s\n$/);
});

test('a Provider missing a required field or with a wrongly typed one is refused as upstream', async () => {
  let r = await c.kubectl(['apply', '-f', '-'], PROVIDER.replace('vsphere, namespace', 'bad, namespace').replace(/  secret:.*\n/, ''));
  assert.is(r.code, 1);
  assert.match(r.stderr, /The Provider "bad" is invalid: spec.secret: Required value/);
  r = await c.kubectl(['apply', '-f', '-'], PROVIDER.replace('vsphere, namespace', 'bad, namespace').replace('vddkInitImage: example.com/vddk:8', 'vddkInitImage: 8'));
  assert.is(r.code, 1);
  assert.match(r.stderr, /spec.settings.vddkInitImage: Invalid value: "integer": spec.settings.vddkInitImage in body must be of type string: "integer"/);
  assert.is((await c.kubectl(['get', 'provider', 'bad'])).code, 1);
});

const PLAN = `apiVersion: forklift.konveyor.io/v1beta1
kind: Plan
metadata: {name: wave-1, namespace: default}
spec:
  warm: true
  targetNamespace: migrated
  provider:
    source: {name: vsphere, namespace: default}
    destination: {name: host, namespace: default}
  map:
    network: {name: vsphere-net, namespace: default}
    storage: {name: vsphere-storage, namespace: default}
  vms:
  - id: vm-42
    hooks:
    - {step: PreHook, hook: {name: quiesce, namespace: default}}
  - name: db-1
`;

test('a Plan with nested lists of references applies; a hook without its step is refused', async () => {
  let r = await c.kubectl(['apply', '-f', '-'], PLAN);
  assert.is(r.code, 0, r.stderr);
  assert.is(must(await c.kubectl(['get', 'plan', 'wave-1', '-o', 'jsonpath={.spec.vms[0].hooks[0].hook.name}|{.spec.vms[1].name}']), 'get plan'), 'quiesce|db-1');
  assert.match(must(await c.kubectl(['get', 'plans']), 'get plans'), /^NAME\s+READY\s+EXECUTING\s+SUCCEEDED\s+FAILED\s+AGE\nwave-1\s+\d+s\n$/);
  r = await c.kubectl(['apply', '-f', '-'], PLAN.replace('wave-1', 'wave-2').replace('{step: PreHook, hook:', '{hook:'));
  assert.is(r.code, 1);
  assert.match(r.stderr, /The Plan "wave-2" is invalid: spec.vms\[0\].hooks\[0\].step: Required value/);
});

test('kubectl explain reads the published schema of a real CRD', async () => {
  let out = must(await c.kubectl(['explain', 'providers.spec']), 'explain providers.spec');
  assert.match(out, /GROUP:\s+forklift\.konveyor\.io\nKIND:\s+Provider\nVERSION:\s+v1beta1/);
  assert.match(out, /secret\s+<Object> -required-/);
  assert.match(out, /settings\s+<map\[string\]string>/);
  out = must(await c.kubectl(['explain', 'plans.spec.vms']), 'explain plans.spec.vms');
  assert.match(out, /FIELD: vms <\[\]Object>/);
  out = must(await c.kubectl(['explain', 'forkliftcontrollers']), 'explain forkliftcontrollers');
  assert.match(out, /ForkliftController is the Schema for the forkliftcontrollers API/);
});

test('the CRDs are deleted from the folder, and their kinds with them', async () => {
  must(await c.kubectl(['delete', '-f', DIR, '--wait=true']), 'delete the CRDs');
  const r = await c.kubectl(['get', 'crd', '-o', 'name']);
  assert.not.match(r.stdout, /forklift/);
});

test('server-side apply of the folder creates them too, and again changes nothing', async () => {
  let out = must(await c.kubectl(['apply', '--server-side', '-f', DIR]), 'server-side apply');
  assert.equal(out.trim().split('\n').sort(), NAMES.map((n) => `customresourcedefinition.apiextensions.k8s.io/${n} serverside-applied`).sort());
  must(await c.kubectl(['wait', '--for=condition=Established', ...NAMES.map((n) => `crd/${n}`), '--timeout=15s']), 'wait Established');
  out = must(await c.kubectl(['apply', '--server-side', '-f', DIR]), 'server-side apply again');
  const generations = must(await c.kubectl(['get', 'crd', ...NAMES, '-o', 'jsonpath={range .items[*]}{.metadata.generation}{end}']), 'generations');
  assert.is(generations, '1'.repeat(NAMES.length));
  must(await c.kubectl(['delete', '-f', DIR]), 'delete again');
});

test.run();
