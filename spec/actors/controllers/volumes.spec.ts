/**
 * PersistentVolumes on the in-process cluster: the persistentvolume-binder, the local-path
 * provisioner (real directories under a temporary storage root), the protection
 * controllers and the ephemeral-volume controller, in virtual time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { startScheduler, type RunningScheduler } from '../../../actors/scheduler/index.ts';
import { cluster, targets, type Cluster } from './helpers.ts';
import { eventually, type EventuallyOptions } from '../../helpers/wait.ts';

const CONTROLLERS = 'persistentvolume-binder,local-path,pvc-protection,pv-protection,ephemeral-volume,garbagecollector,statefulset';

let c: Cluster;
let sched: RunningScheduler | undefined;
let root: string;
test.before.each(() => {
  root = mkdtempSync(join(tmpdir(), 'kubeactor-pv-'));
});
test.after.each(async () => {
  sched?.stop();
  sched = undefined;
  await c?.close();
  rmSync(root, { recursive: true, force: true });
});

const start = async (nodes = 0) => {
  c = await cluster(CONTROLLERS, { nodes, options: { 'local-path': { 'storage-dir': root } } });
  if (nodes) sched = startScheduler(c.h.host);
};
const inVirtualTime = (timeoutMs = 60_000): EventuallyOptions => ({ pace: c.pace(100), intervalMs: 200, timeoutMs });
const must = (type: 'api.create' | 'api.delete' | 'api.update', payload: Record<string, unknown>) => c.h.client().must(type, payload as never);

function storageClass(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'kubeactor.io/local-path', ...extra };
}
function claim(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } };
}
const getClaim = (name: string) => c.get<PersistentVolumeClaim>(targets.persistentvolumeclaims('default', name));
const getVolume = (name: string) => c.get<PersistentVolume>(targets.persistentvolumes(undefined, name));
const boundClaim = (name: string) =>
  eventually(async () => {
    const pvc = await getClaim(name);
    return pvc?.status?.phase === 'Bound' ? pvc : null;
  }, { ...inVirtualTime(), what: `claim ${name} Bound` });
const eventsOf = async (name: string) => (await c.list<Event>(targets.events('default'))).filter((e) => e.involvedObject.name === name).map((e) => `${e.reason}: ${e.message}`);

test('an Immediate local-path claim is provisioned and bound; deleting it removes the volume and its directory', async () => {
  await start();
  await must('api.create', { target: targets.storageclasses(), object: storageClass('fast', { volumeBindingMode: 'Immediate' }) });
  await must('api.create', { target: targets.persistentvolumeclaims('default'), object: claim('data', { storageClassName: 'fast' }) });
  const pvc = await boundClaim('data');
  const pvName = `pvc-${pvc.metadata?.uid}`;
  assert.is(pvc.spec?.volumeName, pvName);
  assert.is(pvc.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  assert.equal(pvc.status?.capacity, { storage: '1Gi' });
  assert.equal(pvc.status?.accessModes, ['ReadWriteOnce']);
  assert.equal(pvc.metadata?.finalizers, ['kubernetes.io/pvc-protection']);
  const pv = (await getVolume(pvName))!;
  assert.is(pv.status?.phase, 'Bound');
  assert.is(pv.spec?.claimRef?.uid, pvc.metadata?.uid);
  assert.is(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
  assert.is(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'kubeactor.io/local-path');
  assert.is(pv.spec?.hostPath?.path, join(root, pvName));
  assert.ok(existsSync(join(root, pvName)), 'the volume directory exists');
  await eventually(async () => (await eventsOf('data')).includes(`ProvisioningSucceeded: Successfully provisioned volume ${pvName}`), { ...inVirtualTime(), detail: () => eventsOf('data') });

  await must('api.delete', { target: targets.persistentvolumeclaims('default', 'data') });
  await eventually(async () => (await getVolume(pvName)) === null, { ...inVirtualTime(), what: 'the volume deleted' });
  assert.not.ok(existsSync(join(root, pvName)), 'the directory is gone');
  assert.is(await getClaim('data'), null);
});

test('reclaimPolicy Retain keeps the directory and leaves the volume Released', async () => {
  await start();
  await must('api.create', { target: targets.storageclasses(), object: storageClass('keep', { volumeBindingMode: 'Immediate', reclaimPolicy: 'Retain' }) });
  await must('api.create', { target: targets.persistentvolumeclaims('default'), object: claim('kept', { storageClassName: 'keep' }) });
  const pvName = (await boundClaim('kept')).spec!.volumeName!;
  await must('api.delete', { target: targets.persistentvolumeclaims('default', 'kept') });
  await eventually(async () => (await getVolume(pvName))?.status?.phase === 'Released', { ...inVirtualTime(), what: 'the volume Released' });
  await c.advance(5_000);
  assert.ok(await getVolume(pvName), 'the volume stays');
  assert.ok(existsSync(join(root, pvName)), 'the directory stays');
});

test('a claim binds to the smallest matching static volume, pre-bound volumes win, and a claim without a class gets the default', async () => {
  await start();
  const pv = (name: string, size: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', hostPath: { path: join(root, name) }, ...extra },
  });
  await must('api.create', { target: targets.persistentvolumes(), object: pv('big', '10Gi') });
  await must('api.create', { target: targets.persistentvolumes(), object: pv('small', '2Gi') });
  await must('api.create', { target: targets.persistentvolumes(), object: pv('tiny', '100Mi') });
  await must('api.create', { target: targets.persistentvolumes(), object: pv('reserved', '5Gi', { claimRef: { namespace: 'default', name: 'mine' } }) });
  await eventually(async () => (await getVolume('tiny'))?.status?.phase === 'Available', inVirtualTime());
  await must('api.create', { target: targets.persistentvolumeclaims('default'), object: claim('any', { storageClassName: 'manual' }) });
  await must('api.create', { target: targets.persistentvolumeclaims('default'), object: claim('mine', { storageClassName: 'manual' }) });
  assert.is((await boundClaim('any')).spec?.volumeName, 'small');
  assert.is((await boundClaim('mine')).spec?.volumeName, 'reserved');
  assert.is((await getVolume('small'))?.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.is((await getVolume('big'))?.status?.phase, 'Available');

  await must('api.create', { target: targets.persistentvolumeclaims('default'), object: claim('plain') });
  const plain = (await getClaim('plain'))!;
  assert.is(plain.spec?.storageClassName, 'local-path', 'DefaultStorageClass admission');
  await eventually(async () => (await eventsOf('plain')).includes('WaitForFirstConsumer: waiting for first consumer to be created before binding'), inVirtualTime());
  assert.is((await getClaim('plain'))?.status?.phase, 'Pending');
});

test('WaitForFirstConsumer: once a node is selected the volume is provisioned with node affinity to it', async () => {
  await start();
  await must('api.create', { target: targets.persistentvolumeclaims('default'), object: claim('late') });
  await c.advance(2_000);
  const pending = (await getClaim('late'))!;
  assert.is(pending.status?.phase, 'Pending');
  await must('api.update', {
    target: targets.persistentvolumeclaims('default', 'late'),
    object: { ...pending, metadata: { ...pending.metadata, annotations: { ...pending.metadata?.annotations, 'volume.kubernetes.io/selected-node': 'node-7' } } },
  });
  const pvc = await boundClaim('late');
  const pv = (await getVolume(pvc.spec!.volumeName!))!;
  assert.equal(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms, [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-7'] }] }]);
  assert.is(pvc.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'], 'kubeactor.io/local-path');
});

test('a claim in use by a pod is not removed until the pod is gone', async () => {
  await start();
  await must('api.create', { target: targets.storageclasses(), object: storageClass('fast', { volumeBindingMode: 'Immediate' }) });
  await must('api.create', { target: targets.persistentvolumeclaims('default'), object: claim('used', { storageClassName: 'fast' }) });
  await boundClaim('used');
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user', namespace: 'default' }, spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'busybox' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'used' } }] } };
  await must('api.create', { target: targets.pods('default'), object: pod });
  await must('api.delete', { target: targets.persistentvolumeclaims('default', 'used') });
  await c.advance(5_000);
  const terminating = await getClaim('used');
  assert.ok(terminating?.metadata?.deletionTimestamp, 'the claim is terminating');
  assert.equal(terminating?.metadata?.finalizers, ['kubernetes.io/pvc-protection']);
  await must('api.delete', { target: targets.pods('default', 'user'), options: { gracePeriodSeconds: 0 } });
  await eventually(async () => (await getClaim('used')) === null, { ...inVirtualTime(), what: 'the claim gone after its pod' });
});

test('a generic ephemeral volume gets the claim <pod>-<volume>, owned by the pod and removed with it', async () => {
  await start();
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'scratch', namespace: 'default' },
    spec: {
      containers: [{ name: 'app', image: 'busybox' }],
      volumes: [{ name: 'tmp', ephemeral: { volumeClaimTemplate: { metadata: { labels: { type: 'scratch' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }],
    },
  };
  const created = (await must('api.create', { target: targets.pods('default'), object: pod })) as { object: Pod };
  const pvc = await eventually(() => getClaim('scratch-tmp'), { ...inVirtualTime(), what: 'claim scratch-tmp' });
  assert.equal(pvc.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Pod', name: 'scratch', uid: created.object.metadata!.uid!, controller: true, blockOwnerDeletion: true }]);
  assert.equal(pvc.metadata?.labels, { type: 'scratch' });
  assert.is(pvc.spec?.storageClassName, 'local-path');
  await must('api.delete', { target: targets.pods('default', 'scratch'), options: { gracePeriodSeconds: 0 } });
  await eventually(async () => (await getClaim('scratch-tmp')) === null, { ...inVirtualTime(), what: 'the claim collected with its pod' });
});

const podWith = (name: string, claimName: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'app', image: 'busybox' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName } }], ...extra },
});
const getPod = (name: string) => c.get<Pod>(targets.pods('default', name));

test('VolumeBinding: the scheduler picks a node for a WaitForFirstConsumer claim, which is provisioned there', async () => {
  await start(2);
  await must('api.create', { target: targets.persistentvolumeclaims('default'), object: claim('www') });
  await must('api.create', { target: targets.pods('default'), object: podWith('web', 'www') });
  const node = await eventually(async () => (await getPod('web'))?.spec?.nodeName, { ...inVirtualTime(), what: 'the pod scheduled' });
  const pvc = await boundClaim('www');
  assert.is(pvc.metadata?.annotations?.['volume.kubernetes.io/selected-node'], node);
  const pv = (await getVolume(pvc.spec!.volumeName!))!;
  assert.equal(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values, [node]);

  // A second pod of the claim must go where its volume is.
  const other = node === 'node-0' ? 'node-1' : 'node-0';
  await must('api.create', { target: targets.pods('default'), object: podWith('web2', 'www') });
  assert.is(await eventually(async () => (await getPod('web2'))?.spec?.nodeName, inVirtualTime()), node, `not ${other}: volume node affinity`);
});

test('VolumeBinding PreBind: the pod is bound only once its WaitForFirstConsumer claim is Bound', async () => {
  await start(2);
  // A class no provisioner here serves: the claim stays Pending until a volume is made for it by hand.
  await must('api.create', { target: targets.storageclasses(), object: storageClass('external', { provisioner: 'example.com/external', volumeBindingMode: 'WaitForFirstConsumer' }) });
  await must('api.create', { target: targets.persistentvolumeclaims('default'), object: claim('ext', { storageClassName: 'external' }) });
  await must('api.create', { target: targets.pods('default'), object: podWith('waiter', 'ext') });
  const node = await eventually(async () => (await getClaim('ext'))?.metadata?.annotations?.['volume.kubernetes.io/selected-node'], { ...inVirtualTime(), what: 'the selected node on the claim' });
  await c.advance(30_000, 1_000);
  assert.is((await getPod('waiter'))?.spec?.nodeName, undefined, 'not bound while the claim is Pending');
  assert.is((await getClaim('ext'))?.status?.phase, 'Pending');

  // The "provisioner" answers: a volume on the selected node, pre-bound to the claim.
  await must('api.create', {
    target: targets.persistentvolumes(),
    object: {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'ext-pv' },
      spec: {
        capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'external', hostPath: { path: join(root, 'ext-pv') },
        claimRef: { namespace: 'default', name: 'ext' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
      },
    },
  });
  await boundClaim('ext');
  assert.is(await eventually(async () => (await getPod('waiter'))?.spec?.nodeName, { ...inVirtualTime(), what: 'the pod bound after its claim' }), node);
  assert.ok((await eventsOf('waiter')).includes(`Scheduled: Successfully assigned default/waiter to ${node}`));
});

test('VolumeBinding PreBind: a claim that never binds sends the pod back to the queue after bindTimeoutSeconds (600 s)', async () => {
  await start(2);
  await must('api.create', { target: targets.storageclasses(), object: storageClass('never', { provisioner: 'example.com/none', volumeBindingMode: 'WaitForFirstConsumer' }) });
  await must('api.create', { target: targets.persistentvolumeclaims('default'), object: claim('lost', { storageClassName: 'never' }) });
  await must('api.create', { target: targets.pods('default'), object: podWith('stranded', 'lost') });
  await eventually(async () => (await getClaim('lost'))?.metadata?.annotations?.['volume.kubernetes.io/selected-node'], { ...inVirtualTime(), what: 'the selected node on the claim' });
  const message = 'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded';
  const failed = async () => (await eventsOf('stranded')).includes(`FailedScheduling: ${message}`);
  await c.advance(590_000, 5_000);
  assert.not.ok(await failed(), 'still waiting before the timeout');
  const before = sched!.stats();
  assert.is(before.attempts, 1, 'one attempt, waiting for its claim');
  await c.advance(15_000, 1_000);
  await eventually(failed, { ...inVirtualTime(), what: 'FailedScheduling after the timeout', detail: () => eventsOf('stranded') });
  const pod = (await getPod('stranded'))!;
  assert.is(pod.spec?.nodeName, undefined);
  const cond = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
  assert.equal([cond?.status, cond?.reason, cond?.message], ['False', 'SchedulerError', message]);
  // Back in the queue: after its backoff it is tried again, and waits again.
  await c.advance(5_000, 1_000);
  const after = sched!.stats();
  assert.is(after.bindFailures, 1, 'counted as a failed bind');
  assert.is(after.attempts, 2, 'scheduled again after its backoff');
  assert.is((await getPod('stranded'))?.spec?.nodeName, undefined);
});

test('VolumeBinding: a pod waits for its unbound Immediate claim and for a claim that does not exist yet', async () => {
  await start(2);
  await must('api.create', { target: targets.persistentvolumeclaims('default'), object: claim('nowhere', { storageClassName: '' }) });
  await must('api.create', { target: targets.pods('default'), object: podWith('stuck', 'nowhere') });
  await must('api.create', { target: targets.pods('default'), object: podWith('early', 'later') });
  const failed = async (pod: string) => (await eventsOf(pod)).find((e) => e.startsWith('FailedScheduling:'));
  const stuck = await eventually(() => failed('stuck'), { ...inVirtualTime(), what: 'FailedScheduling of stuck' });
  assert.match(stuck, 'pod has unbound immediate PersistentVolumeClaims');
  assert.match(await eventually(() => failed('early'), inVirtualTime()), 'persistentvolumeclaim "later" not found');

  // The claim appears: the pod is retried and scheduled.
  await must('api.create', { target: targets.persistentvolumeclaims('default'), object: claim('later') });
  await eventually(async () => (await getPod('early'))?.spec?.nodeName, { ...inVirtualTime(), what: 'early scheduled once its claim exists' });
  assert.is((await getPod('stuck'))?.spec?.nodeName, undefined);
});

function statefulSet(replicas: number, retention: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default' },
    spec: {
      replicas,
      serviceName: 'db',
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      persistentVolumeClaimRetentionPolicy: retention,
    },
  };
}
const claimNames = async () => (await c.list<PersistentVolumeClaim>(targets.persistentvolumeclaims('default'))).map((p) => p.metadata!.name!).sort();

test('StatefulSet claims are kept by default (Retain) when the set scales down and is deleted', async () => {
  await start(2);
  await must('api.create', { target: targets.statefulsets('default'), object: statefulSet(2, {}) });
  await boundClaim('data-db-0');
  await boundClaim('data-db-1');
  const set = (await c.get<KubeObject>(targets.statefulsets('default', 'db')))!;
  await must('api.update', { target: targets.statefulsets('default', 'db'), object: { ...set, spec: { ...(set.spec as object), replicas: 1 } } });
  await eventually(async () => (await getPod('db-1')) === null, { ...inVirtualTime(), what: 'db-1 removed' });
  await must('api.delete', { target: targets.statefulsets('default', 'db') });
  await eventually(async () => (await getPod('db-0')) === null, { ...inVirtualTime(), what: 'db-0 collected' });
  assert.equal(await claimNames(), ['data-db-0', 'data-db-1']);
});

test('persistentVolumeClaimRetentionPolicy Delete: claims go with a scale-down and with the set', async () => {
  await start(2);
  await must('api.create', { target: targets.statefulsets('default'), object: statefulSet(2, { whenScaled: 'Delete', whenDeleted: 'Delete' }) });
  const first = await boundClaim('data-db-0');
  await boundClaim('data-db-1');
  assert.equal(first.metadata?.ownerReferences?.map((r) => `${r.kind}/${r.name}`), ['StatefulSet/db']);
  const set = (await c.get<KubeObject>(targets.statefulsets('default', 'db')))!;
  await must('api.update', { target: targets.statefulsets('default', 'db'), object: { ...set, spec: { ...(set.spec as object), replicas: 1 } } });
  await eventually(async () => (await claimNames()).join() === 'data-db-0', { ...inVirtualTime(), what: 'data-db-1 deleted with its pod', detail: claimNames });
  await must('api.delete', { target: targets.statefulsets('default', 'db') });
  await eventually(async () => (await claimNames()).length === 0, { ...inVirtualTime(), what: 'data-db-0 deleted with the set', detail: claimNames });
});

test.run();
