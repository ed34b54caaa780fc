/**
 * The ServiceAccount admission plugin's kube-api-access volume and the root-ca-cert-publisher
 * that keeps the kube-root-ca.crt ConfigMap it projects, on the in-process cluster (the
 * apiserver with the plugin on, the controllers, sim nodes), in virtual time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import { cluster, targets, type Cluster } from './helpers.ts';
import { eventually, type EventuallyOptions } from '../../helpers/wait.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBspec\n-----END CERTIFICATE-----\n';
const MOUNT = { name: '', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' };

let c: Cluster;
test.after.each(async () => {
  await c?.close();
});

const start = async (nodes = 0) => {
  c = await cluster('serviceaccount,root-ca-cert-publisher', { nodes, options: { 'root-ca-cert-publisher': { 'root-ca': CA } }, apiserver: { disableAdmissionPlugins: [] } });
};
const inVirtualTime = (): EventuallyOptions => ({ pace: c.pace(100), intervalMs: 200, timeoutMs: 30_000 });
const create = async (target: ReturnType<typeof targets.pods>, object: Record<string, unknown>) =>
  ((await c.h.client().must('api.create', { target, object } as never)) as { object: Pod }).object;
const pod = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec },
});
const rootCA = (ns: string) => c.get<ConfigMap>(targets.configmaps(ns, 'kube-root-ca.crt'));

test('a new pod gets serviceAccountName default and the kube-api-access projected volume in every container', async () => {
  await start();
  const created = await create(targets.pods('default'), pod('web', { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] }));
  const spec = created.spec!;
  assert.is(spec.serviceAccountName, 'default');
  assert.is(spec.volumes?.length, 1);
  const volume = spec.volumes![0]!;
  assert.match(volume.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(volume.projected, {
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
    defaultMode: 420,
  });
  const mount = { ...MOUNT, name: volume.name };
  for (const ctr of [...spec.initContainers!, ...spec.containers]) assert.equal(ctr.volumeMounts, [mount], ctr.name);
});

test("a create's managedFields hold its defaults, not what admission added (the apiserver records them before mutating admission)", async () => {
  await start();
  const created = await create(targets.pods('default'), pod('web'));
  const twin = await create(targets.pods('default'), pod('web-2'));
  // Admission did add its volume, mount, account and tolerations to the pod ...
  assert.match(created.spec!.volumes![0]!.name, /^kube-api-access-/);
  assert.ok(created.spec!.tolerations?.some((t) => t.key === 'node.kubernetes.io/not-ready'));
  const entries = created.metadata!.managedFields!;
  assert.is(entries.length, 1);
  const spec = (entries[0]!.fieldsV1 as Record<string, Record<string, Record<string, Record<string, unknown>>>>)['f:spec']!;
  // ... but the writer owns only its body as decoding defaulted it, as in Kubernetes.
  assert.ok(spec['f:dnsPolicy'] && spec['f:restartPolicy'] && spec['f:schedulerName'], Object.keys(spec).join(' '));
  const container = spec['f:containers']!['k:{"name":"app"}']!;
  assert.ok(container['f:imagePullPolicy'] && container['f:terminationMessagePath'], Object.keys(container).join(' '));
  for (const added of ['f:volumes', 'f:serviceAccountName', 'f:tolerations', 'f:priority']) assert.not.ok(spec[added], `${added} is admission's`);
  assert.not.ok(container['f:volumeMounts'], "the token's mount is admission's");
  // So two pods of one writer have the same set, though each has a volume of its own name.
  assert.is.not(twin.spec!.volumes![0]!.name, created.spec!.volumes![0]!.name);
  assert.equal(twin.metadata!.managedFields![0]!.fieldsV1, entries[0]!.fieldsV1);
});

test('no token volume when automountServiceAccountToken is false on the pod or on its ServiceAccount, or a mount already uses the path', async () => {
  await start();
  const off = await create(targets.pods('default'), pod('off', { automountServiceAccountToken: false }));
  assert.is(off.spec?.volumes, undefined);
  assert.is(off.spec?.serviceAccountName, 'default');

  await c.h.client().must('api.create', { target: targets.serviceaccounts('default'), object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet', namespace: 'default' }, automountServiceAccountToken: false } } as never);
  await c.advance(200);
  assert.is((await create(targets.pods('default'), pod('quiet', { serviceAccountName: 'quiet' }))).spec?.volumes, undefined);
  // The pod's own setting wins over its account's.
  const forced = await create(targets.pods('default'), pod('forced', { serviceAccountName: 'quiet', automountServiceAccountToken: true }));
  assert.match(forced.spec?.volumes?.[0]?.name ?? '', /^kube-api-access-/);

  const own = { name: 'mine', emptyDir: {} };
  const mounted = await create(targets.pods('default'), pod('own', { volumes: [own], containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'mine', mountPath: MOUNT.mountPath }] }] }));
  assert.equal(mounted.spec?.volumes, [own]);
});

test('root-ca-cert-publisher: every namespace gets kube-root-ca.crt with the CA, restored after an edit or a delete', async () => {
  await start();
  const cm = await eventually(() => rootCA('default'), { ...inVirtualTime(), what: 'kube-root-ca.crt in default' });
  assert.equal(cm.data, { 'ca.crt': CA });
  assert.match(cm.metadata?.annotations?.['kubernetes.io/description'] ?? '', 'Contains a CA bundle that can be used to verify the kube-apiserver');
  assert.ok(await rootCA('kube-system'), 'in kube-system too');

  await c.h.client().must('api.create', { target: targets.namespaces(), object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } } as never);
  await eventually(async () => (await rootCA('team'))?.data?.['ca.crt'] === CA, { ...inVirtualTime(), what: 'kube-root-ca.crt in a new namespace' });

  await c.h.client().must('api.update', { target: targets.configmaps('team', 'kube-root-ca.crt'), object: { ...(await rootCA('team')), data: { 'ca.crt': 'forged' } } } as never);
  await eventually(async () => (await rootCA('team'))?.data?.['ca.crt'] === CA, { ...inVirtualTime(), what: 'the edit undone' });
  await c.h.client().must('api.delete', { target: targets.configmaps('team', 'kube-root-ca.crt') } as never);
  await eventually(async () => (await rootCA('team'))?.data?.['ca.crt'] === CA, { ...inVirtualTime(), what: 'the ConfigMap made again' });
});

test('a sim pod with the token volume runs (the sim writes no file), and waits with FailedMount while kube-root-ca.crt is missing', async () => {
  c = await cluster('serviceaccount', { nodes: 1, apiserver: { disableAdmissionPlugins: [] } });
  await create(targets.pods('default'), pod('early', { nodeName: 'node-1' }));
  const events = async () => ((await c.h.client().must('api.list', { target: targets.events('default') } as never)) as { items: { involvedObject: { name: string }; reason: string; message: string }[] }).items
    .filter((e) => e.involvedObject.name === 'early').map((e) => `${e.reason}: ${e.message}`);
  const failed = await eventually(async () => (await events()).find((e) => e.startsWith('FailedMount')), { ...inVirtualTime(), what: 'FailedMount' });
  assert.match(failed, 'configmap "kube-root-ca.crt" not found');
  await c.h.client().must('api.create', { target: targets.configmaps('default'), object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: 'default' }, data: { 'ca.crt': CA } } } as never);
  await eventually(async () => (await c.get<Pod>(targets.pods('default', 'early')))?.status?.phase === 'Running', { ...inVirtualTime(), what: 'Running once the ConfigMap exists' });
});

test.run();
