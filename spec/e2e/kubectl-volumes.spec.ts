/**
 * Issue 11, persistent volumes end to end with the real kubectl against a real `kubeactor up`
 * child process (memory storage, three sim nodes, every controller): the default
 * StorageClass, a claim bound to a provisioned volume whose directory lives in
 * `<data-dir>/storage` and goes with it, Retain keeping it, a claim in use surviving until
 * its pod goes, a StatefulSet's claim surviving pod replacement, and validation errors as
 * Kubernetes prints them; the run's recording replays (--verify) without touching the
 * storage directory. Real clock, every wait bounded.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliProcess } from '../helpers/cli.ts';
import { eventually } from '../helpers/wait.ts';
import type { Run } from './cluster.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-volumes-'));
const recording = join(dir, 'up.log');
let up: CliProcess;
let env: NodeJS.ProcessEnv;
/** The provisioned volumes whose directories the run made, in order. */
const provisioned: string[] = [];

const kubectl = (args: string[], input?: string) =>
  new Promise<Run>((resolve) => {
    const child = execFile('kubectl', ['--request-timeout=20s', ...args], { env, timeout: 45_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
const ok = async (args: string[], input?: string): Promise<string> => {
  const r = await kubectl(args, input);
  assert.is(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout.trim();
};
const POLL = { intervalMs: 250, timeoutMs: 20_000 };
const jsonpath = (what: string[], path: string) => ok(['get', ...what, '-o', `jsonpath=${path}`]);
const phaseOf = (what: string[]) => kubectl(['get', ...what, '-o', 'jsonpath={.status.phase}']).then((r) => (r.code === 0 ? r.stdout : `gone: ${r.stderr.trim()}`));
const gone = (what: string[]) => eventually(async () => (await kubectl(['get', ...what])).stderr.includes('NotFound'), { ...POLL, what: `${what.join(' ')} deleted` });

const claim = (name: string, cls?: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
${cls !== undefined ? `  storageClassName: ${cls}\n` : ''}`;
const pod = (name: string, claimName: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  containers: [{name: app, image: busybox, command: [sleep, '3600']}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: ${claimName}}}]
`;

test.before(async () => {
  up = runCli(['up', '--storage', 'memory', '--port', '0', '--data-dir', dir, '--default-runtime', 'sim', '--record', recording]);
  await up.waitFor('ready.', 30_000);
  const kubeconfig = /kubeconfig: (\S+)/.exec(up.output())?.[1];
  assert.ok(kubeconfig, `no kubeconfig line in:\n${up.output()}`);
  env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, NO_COLOR: '1' };
});

test.after(async () => {
  if (up) await up.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the default StorageClass local-path, and api-resources list pv, pvc and sc', async () => {
  const sc = (await ok(['get', 'sc'])).split('\n');
  assert.match(sc[0]!, /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE$/);
  assert.match(sc[1]!, /^local-path \(default\)\s+kubeactor\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+\S+$/);
  const resources = await ok(['api-resources', '--no-headers']);
  assert.match(resources, /^persistentvolumeclaims\s+pvc\s+v1\s+true\s+PersistentVolumeClaim$/m);
  assert.match(resources, /^persistentvolumes\s+pv\s+v1\s+false\s+PersistentVolume$/m);
  assert.match(resources, /^storageclasses\s+sc\s+storage\.k8s\.io\/v1\s+false\s+StorageClass$/m);
});

test('a claim is Pending until its first pod is scheduled, then Bound to a volume in <data-dir>/storage; deleting both removes the directory', async () => {
  assert.match(await ok(['apply', '-f', '-'], claim('data')), 'persistentvolumeclaim/data created');
  assert.is(await jsonpath(['pvc', 'data'], '{.spec.storageClassName}'), 'local-path');
  assert.match(await ok(['get', 'pvc', 'data']), /^data\s+Pending\s+local-path\s+<unset>\s+\S+$/m);
  await ok(['apply', '-f', '-'], pod('writer', 'data'));
  await eventually(() => phaseOf(['pvc', 'data']), { ...POLL, accept: (p) => p === 'Bound', what: 'claim data Bound' });
  const volume = await jsonpath(['pvc', 'data'], '{.spec.volumeName}');
  assert.match(volume, /^pvc-[0-9a-f-]+$/);
  provisioned.push(volume);
  const node = await jsonpath(['pod', 'writer'], '{.spec.nodeName}');
  assert.is(await jsonpath(['pvc', 'data'], "{.metadata.annotations['volume\\.kubernetes\\.io/selected-node']}"), node);
  assert.match(await ok(['get', 'pvc', 'data']), new RegExp(`^data\\s+Bound\\s+${volume}\\s+1Gi\\s+RWO\\s+local-path\\s+<unset>\\s+\\S+$`, 'm'));
  assert.match(await ok(['get', 'pv', volume]), new RegExp(`^${volume}\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/data\\s+local-path\\s+<unset>\\s+\\S+$`, 'm'));
  assert.is(await jsonpath(['pv', volume], '{.spec.hostPath.path}'), join(dir, 'storage', volume));
  assert.ok(existsSync(join(dir, 'storage', volume)), 'the volume directory exists');

  // In use: deleting the claim leaves it Terminating until the pod is gone.
  await ok(['delete', 'pvc', 'data', '--wait=false']);
  assert.match(await ok(['get', 'pvc', 'data']), /^data\s+Terminating\s+pvc-/m);
  await ok(['delete', 'pod', 'writer', '--grace-period=0', '--force']);
  await gone(['pvc', 'data']);
  await gone(['pv', volume]);
  await eventually(() => !existsSync(join(dir, 'storage', volume)), { ...POLL, what: 'the directory removed' });
});

test('reclaimPolicy Retain: the volume is Released and its directory kept', async () => {
  await ok(['apply', '-f', '-'], `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: keep}
provisioner: kubeactor.io/local-path
reclaimPolicy: Retain
volumeBindingMode: Immediate
`);
  await ok(['apply', '-f', '-'], claim('kept', 'keep'));
  await eventually(() => phaseOf(['pvc', 'kept']), { ...POLL, accept: (p) => p === 'Bound', what: 'claim kept Bound' });
  const volume = await jsonpath(['pvc', 'kept'], '{.spec.volumeName}');
  provisioned.push(volume);
  await ok(['delete', 'pvc', 'kept']);
  await eventually(() => phaseOf(['pv', volume]), { ...POLL, accept: (p) => p === 'Released', what: 'volume Released' });
  assert.match(await ok(['get', 'pv', volume]), new RegExp(`^${volume}\\s+1Gi\\s+RWO\\s+Retain\\s+Released\\s+default/kept\\s+keep\\s`, 'm'));
  assert.ok(existsSync(join(dir, 'storage', volume)), 'the directory is kept');
});

test('a StatefulSet with a volumeClaimTemplate: the claim data-web-0 survives the pod being replaced', async () => {
  await ok(['apply', '-f', '-'], `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: busybox, volumeMounts: [{name: data, mountPath: /data}]}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 100Mi}}
`);
  await eventually(() => phaseOf(['pvc', 'data-web-0']), { ...POLL, accept: (p) => p === 'Bound', what: 'claim data-web-0 Bound' });
  const uid = await jsonpath(['pvc', 'data-web-0'], '{.metadata.uid}');
  assert.is(await jsonpath(['pvc', 'data-web-0'], '{.metadata.labels.app}'), 'web');
  assert.is(await jsonpath(['pod', 'web-0'], '{.spec.volumes[0].persistentVolumeClaim.claimName}'), 'data-web-0');
  const before = await jsonpath(['pod', 'web-0'], '{.metadata.uid}');
  await ok(['delete', 'pod', 'web-0']);
  await eventually(async () => (await kubectl(['get', 'pod', 'web-0', '-o', 'jsonpath={.metadata.uid}'])).stdout, { ...POLL, accept: (u) => u !== '' && u !== before, what: 'web-0 re-created' });
  assert.is(await jsonpath(['pvc', 'data-web-0'], '{.metadata.uid}'), uid, 'the same claim');
  assert.is(await jsonpath(['pod', 'web-0'], '{.spec.volumes[0].persistentVolumeClaim.claimName}'), 'data-web-0');
});

test('invalid claims and volumes are refused with Kubernetes\' messages', async () => {
  const bad = await kubectl(['create', '-f', '-'], `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: bad}
spec:
  resources: {requests: {storage: 1Gi}}
`);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, 'The PersistentVolumeClaim "bad" is invalid: spec.accessModes: Required value: at least 1 access mode is required');
  const pv = await kubectl(['create', '-f', '-'], `apiVersion: v1
kind: PersistentVolume
metadata: {name: bad}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteSometimes]
`);
  assert.match(pv.stderr, 'The PersistentVolume "bad" is invalid: \n* spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"\n* spec: Required value: must specify a volume type');
  await ok(['apply', '-f', '-'], claim('grow', 'keep'));
  const shrink = await kubectl(['patch', 'pvc', 'grow', '-p', '{"spec":{"accessModes":["ReadWriteMany"]}}']);
  assert.match(shrink.stderr, 'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
});

test('replaying the recording verifies, and neither makes nor removes a volume directory', async () => {
  await up.stop();
  const storage = join(dir, 'storage');
  rmSync(storage, { recursive: true, force: true });
  // Data where the run's first volume was (the run removed it): a replay must not remove it again.
  const deleted = join(storage, provisioned[0]!);
  mkdirSync(deleted, { recursive: true });
  writeFileSync(join(deleted, 'keep-me'), 'data');
  const replay = runCli(['replay', '--verify', recording]);
  await replay.exited();
  // Every actor replays exactly: the storage controllers, the scheduler, and the kubelets whose volume and env work their pods asked for.
  assert.match(replay.output(), /verified \d+ actor\(s\), \d+ output\(s\) matched over \d+ entries; 0 skipped; 0 divergence\(s\)/, replay.output());
  assert.equal(readdirSync(storage), [provisioned[0]], 'no directory made by the replay');
  assert.ok(existsSync(join(deleted, 'keep-me')), 'nothing removed by the replay');
});

test.run();
