import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kindByResource, type KindInfo, type KubeObject } from '../../api/kinds.ts';
import { printerFor } from '../../api/tables/index.ts';

const kind = (group: string, resource: string): KindInfo => {
  const k = kindByResource(group, resource);
  if (!k) throw new Error(`${resource} not registered`);
  return k;
};
const PVC = kind('', 'persistentvolumeclaims');
const PV = kind('', 'persistentvolumes');
const SC = kind('storage.k8s.io', 'storageclasses');
const lines = (k: KindInfo, obj: KubeObject, old?: KubeObject): string[] => k.validate(k.defaults(obj), old && k.defaults(old)).map((c) => `${c.field}: ${c.message}`);

const claim = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
  ...(status ? { status } : {}),
});
const volume = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/srv/v' }, ...spec } });
const klass = (extra: Record<string, unknown>): KubeObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'example.com/fast', ...extra });

const claimCases: Array<[string, Record<string, unknown>, string[]]> = [
  ['valid', {}, []],
  ['access modes required', { accessModes: [] }, ['spec.accessModes: Required value: at least 1 access mode is required']],
  ['unknown access mode', { accessModes: ['ReadWriteSometimes'] }, ['spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"']],
  ['ReadWriteOncePod alone', { accessModes: ['ReadWriteOncePod', 'ReadWriteOnce'] }, ['spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes']],
  ['storage required', { resources: { requests: {} } }, ['spec.resources[storage]: Required value']],
  ['storage positive', { resources: { requests: { storage: '0' } } }, ['spec.resources[storage]: Invalid value: "0": must be greater than zero']],
  ['class name', { storageClassName: 'Fast_One' }, ["spec.storageClassName: Invalid value: \"Fast_One\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]],
  ['volume mode', { volumeMode: 'Raw' }, ['spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"']],
];
for (const [what, spec, want] of claimCases) test(`claim: ${what}`, () => assert.equal(lines(PVC, claim(spec)), want));

test('claim update: the spec is immutable, but volumeName is set once, a class where none was, and a bound claim may grow', () => {
  const old = claim({});
  assert.equal(lines(PVC, claim({ volumeName: 'pv-1', storageClassName: 'fast' }), old), []);
  const changed = lines(PVC, claim({ accessModes: ['ReadWriteMany'] }), old);
  assert.is(changed.length, 1);
  assert.match(changed[0]!, /^spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n/);
  const bound = claim({ volumeName: 'pv-1' }, { phase: 'Bound' });
  assert.equal(lines(PVC, claim({ volumeName: 'pv-1', resources: { requests: { storage: '2Gi' } } }, { phase: 'Bound' }), bound), []);
  assert.equal(lines(PVC, claim({ volumeName: 'pv-1', resources: { requests: { storage: '512Mi' } } }, { phase: 'Bound' }), bound), ['spec.resources.requests.storage: Forbidden: field can not be less than previous value']);
  assert.equal(lines(PVC, claim({ resources: { requests: { storage: '2Gi' } } }), old).length, 1, 'an unbound claim may not change its request');
});

const volumeCases: Array<[string, Record<string, unknown>, string[]]> = [
  ['valid', {}, []],
  ['access modes required', { accessModes: [] }, ['spec.accessModes: Required value']],
  ['capacity required', { capacity: {} }, ['spec.capacity: Required value']],
  ['only storage capacity', { capacity: { storage: '1Gi', cpu: '1' } }, ['spec.capacity: Unsupported value: map[string]string{"cpu":"1", "storage":"1Gi"}: supported values: "storage"']],
  ['a source is required', { hostPath: undefined }, ['spec: Required value: must specify a volume type']],
  ['one source only', { local: { path: '/srv/x' }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n'] }] }] } } }, ['spec.local: Forbidden: may not specify more than 1 volume type']],
  ['local needs node affinity and an absolute path', { hostPath: undefined, local: { path: 'srv' } }, ['spec.local.path: Invalid value: "srv": must be an absolute path', 'spec.nodeAffinity: Required value: Local volume requires node affinity']],
  ['reclaim policy', { persistentVolumeReclaimPolicy: 'Shred' }, ['spec.persistentVolumeReclaimPolicy: Unsupported value: "Shred": supported values: "Delete", "Recycle", "Retain"']],
  ['hostPath type', { hostPath: { path: '/srv/v', type: 'Pipe' } }, ['spec.hostPath.type: Unsupported value: "Pipe": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"']],
];
for (const [what, spec, want] of volumeCases) test(`volume: ${what}`, () => assert.equal(lines(PV, volume(spec)), want));

test('volume update: the source is immutable; defaults are Retain and Filesystem', () => {
  const errs = lines(PV, volume({ hostPath: { path: '/srv/other' } }), volume({}));
  assert.is(errs.length, 1);
  assert.match(errs[0]!, /^spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n/);
  const d = PV.defaults(volume({})) as { spec: Record<string, unknown>; status: Record<string, unknown> };
  assert.is(d.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.is(d.spec.volumeMode, 'Filesystem');
  assert.equal(d.status, { phase: 'Pending' });
});

test('storage class: provisioner required, modes and policies checked, the provisioner and parameters fixed', () => {
  assert.equal(lines(SC, klass({})), []);
  assert.equal(lines(SC, klass({ provisioner: '' })), ['provisioner: Required value']);
  assert.equal(lines(SC, klass({ reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' })), ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"', 'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"']);
  assert.equal(lines(SC, klass({ provisioner: 'example.com/slow', parameters: { a: 'b' } }), klass({})), ['parameters: Forbidden: updates to parameters are forbidden.', 'provisioner: Forbidden: updates to provisioner are forbidden.']);
  assert.equal(lines(SC, klass({ volumeBindingMode: 'WaitForFirstConsumer' }), klass({})), ['volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable']);
});

const NOW = Date.parse('2026-01-01T12:00:00Z');
const cells = (group: string, resource: string, obj: object) => printerFor(group, resource).cells(obj as never, NOW);
const created = new Date(NOW - 90_000).toISOString();

test('tables: kubectl get pv, pvc and sc columns and cells', () => {
  assert.equal(printerFor('', 'persistentvolumes').columns.map((c) => c.name), ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode']);
  assert.equal(
    cells('', 'persistentvolumes', { metadata: { name: 'pvc-1', creationTimestamp: created }, spec: { capacity: { storage: '1024Mi' }, accessModes: ['ReadOnlyMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'local-path', volumeMode: 'Filesystem' }, status: { phase: 'Bound' } }),
    ['pvc-1', '1Gi', 'RWO,ROX', 'Delete', 'Bound', 'default/data', 'local-path', '<unset>', '', '90s', 'Filesystem'],
  );
  assert.equal(printerFor('', 'persistentvolumeclaims').columns.map((c) => c.name), ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode']);
  assert.equal(cells('', 'persistentvolumeclaims', { metadata: { name: 'data', creationTimestamp: created }, spec: { storageClassName: 'local-path' }, status: { phase: 'Pending' } }), ['data', 'Pending', '', '', '', 'local-path', '<unset>', '90s', '<unset>']);
  assert.equal(
    cells('', 'persistentvolumeclaims', { metadata: { name: 'data', creationTimestamp: created, deletionTimestamp: created }, spec: { volumeName: 'pvc-1' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } }),
    ['data', 'Terminating', 'pvc-1', '1Gi', 'RWO', '', '<unset>', '90s', '<unset>'],
  );
  assert.equal(
    cells('storage.k8s.io', 'storageclasses', { metadata: { name: 'local-path', creationTimestamp: created, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'kubeactor.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' }),
    ['local-path (default)', 'kubeactor.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '90s'],
  );
});

test.run();
