import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, existsSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { start, t, type Harness } from '../apiserver/harness.ts';
import { startSimNodes, stopKubelet, type SimNodes } from '../../../actors/kubelet/index.ts';
import { simRuntime } from '../../../actors/runtime/sim.ts';
import type { Runtime } from '../../../actors/runtime/runtime.ts';
import type { Mount } from '../../../actors/kubelet/volumes/mounts.ts';
import { eventually } from '../../helpers/wait.ts';

/**
 * The kubelet's volumes and container environment against a real in-process control plane
 * and real directories. The runtime is the sim runtime saying it mounts volumes (as the
 * process runtime does), recording what CreateContainer was given.
 */
let h: Harness;
let nodes: SimNodes;
let root: string;
let created: { container: Container; mounts: Mount[] }[];

function filesRuntime(base: Runtime): Runtime {
  const create = base.createContainer.bind(base) as (sb: string, c: Container, attempt: number, config?: { mounts?: Mount[] }) => ReturnType<Runtime['createContainer']>;
  return {
    ...base,
    mountsVolumes: true,
    createContainer: (sb: string, c: Container, attempt: number, config?: { mounts?: Mount[] }) => {
      created.push({ container: c, mounts: config?.mounts ?? [] });
      return create(sb, c, attempt);
    },
  } as Runtime;
}

async function boot(runtime: 'files' | 'sim', extra: { allowedHostPaths?: string[]; before?: () => void } = {}): Promise<void> {
  created = [];
  root = mkdtempSync(join(tmpdir(), 'kubeactor-vol-'));
  extra.before?.();
  h = await start();
  const rt = runtime === 'files' ? filesRuntime(simRuntime(h.clock)) : simRuntime(h.clock);
  nodes = await startSimNodes({
    host: h.host, clock: h.clock, count: 1, lister: h.client().port, runtime: rt,
    configure: (name) => ({ rootDir: join(root, 'kubelet', name), allowedHostPaths: extra.allowedHostPaths ?? [] }),
  });
  await h.settle();
  await h.client().must('api.create', { target: { group: '', version: 'v1', resource: 'serviceaccounts', namespace: 'default' }, object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } } }).catch(() => undefined);
}

test.after.each(async () => {
  nodes.stop();
  await h.close();
  rmSync(root, { recursive: true, force: true });
});

/** Lets real I/O finish while virtual time moves in small steps. */
const pace = { now: () => Date.now(), sleep: async (ms: number) => { await new Promise((r) => setTimeout(r, ms)); await h.clock.advance(50); await h.settle(); } };
const until = <T>(check: () => T | Promise<T>, what: string) => eventually(check, { pace, timeoutMs: 5000, intervalMs: 5, what });

async function advance(ms: number): Promise<void> {
  for (let done = 0; done < ms; done += 1000) {
    await h.clock.advance(Math.min(1000, ms - done));
    await h.settle();
    await new Promise((r) => setTimeout(r, 5));
  }
}

const admin = () => h.client();
const create = (target: ReturnType<typeof t.cm>, object: KubeObject) => admin().must('api.create', { target, object });
const secretT = (name?: string) => ({ group: '', version: 'v1', resource: 'secrets', namespace: 'default', ...(name ? { name } : {}) });
const getPod = async (name: string) => (await admin().must('api.get', { target: t.pods('default', name) })) as Pod;
const eventsOf = async (name: string, reason: string): Promise<string[]> =>
  ((await admin().must('api.list', { target: t.events(), options: { fieldSelector: `involvedObject.name=${name},reason=${reason}` } })).items as { message: string }[]).map((e) => e.message);
const volDir = (uid: string, plugin: string, name: string) => join(root, 'kubelet', 'node-1', 'pods', uid, 'volumes', `kubernetes.io~${plugin}`, name);
const b64 = (s: string) => Buffer.from(s).toString('base64');

const FULL_POD = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    nodeName: 'node-1',
    volumes: [
      { name: 'cfg', configMap: { name: 'settings', defaultMode: 0o640, items: [{ key: 'mode', path: 'conf/mode.txt' }, { key: 'level', path: 'level', mode: 0o600 }] } },
      { name: 'whole', configMap: { name: 'settings' } },
      { name: 'creds', secret: { secretName: 'creds' } },
      { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      { name: 'scratch', emptyDir: {} },
      { name: 'all', projected: { sources: [{ configMap: { name: 'settings', items: [{ key: 'mode', path: 'mode' }] } }, { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } },
    ],
    containers: [{
      name: 'app', image: 'nginx:1.27',
      command: ['sh', '-c', 'echo $(MODE) $$(MODE)'],
      env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }, { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }],
      volumeMounts: [
        { name: 'cfg', mountPath: '/etc/app' },
        { name: 'whole', mountPath: '/etc/mode', subPath: 'mode' },
        { name: 'creds', mountPath: '/secrets' },
        { name: 'info', mountPath: '/info' },
        { name: 'scratch', mountPath: '/scratch', subPathExpr: '$(MODE)' },
        { name: 'all', mountPath: '/all' },
      ],
    }],
  },
};

test('a pod\'s volumes are written as kubelet\'s atomic writer does, and CreateContainer gets the resolved env, command and mounts', async () => {
  await boot('files');
  await create(t.cm(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'prod', level: '3' } });
  await create(secretT(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { password: b64('s3cret') } });
  await create(t.pods(), FULL_POD as KubeObject);
  await until(async () => (await getPod('web')).status?.phase === 'Running', 'web Running');
  const uid = (await getPod('web')).metadata!.uid!;
  const cfg = volDir(uid, 'configmap', 'cfg');
  assert.match(readlinkSync(join(cfg, '..data')), /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./);
  assert.is(readlinkSync(join(cfg, 'conf')), '..data/conf');
  assert.is(readFileSync(join(cfg, 'conf/mode.txt'), 'utf8'), 'prod');
  assert.is(statSync(join(cfg, 'conf/mode.txt')).mode & 0o777, 0o640);
  assert.is(statSync(join(cfg, 'level')).mode & 0o777, 0o600);
  assert.is(readFileSync(join(volDir(uid, 'secret', 'creds'), 'password'), 'utf8'), 's3cret');
  assert.is(readFileSync(join(volDir(uid, 'downward-api', 'info'), 'labels'), 'utf8'), 'app="web"');
  assert.is(statSync(volDir(uid, 'empty-dir', 'scratch')).mode & 0o777, 0o777);
  const token = readFileSync(join(volDir(uid, 'projected', 'all'), 'token'), 'utf8');
  assert.is(token.split('.').length, 3, 'a JWT from TokenRequest');
  const review = await admin().must('api.create', { target: { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews' }, object: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } as KubeObject });
  assert.is((review as { object: { status: { user: { username: string } } } }).object.status.user.username, 'system:serviceaccount:default:default');

  const c = created.at(-1)!;
  assert.equal(c.container.command, ['sh', '-c', 'echo prod $(MODE)']);
  assert.equal(c.container.env?.filter((e) => e.name === 'MODE' || e.name === 'PASS'), [{ name: 'MODE', value: 'prod' }, { name: 'PASS', value: 's3cret' }]);
  const kube = (await admin().must('api.get', { target: t.svc('default', 'kubernetes') })) as { spec: { clusterIP: string } };
  assert.equal(c.container.env?.find((e) => e.name === 'KUBERNETES_SERVICE_HOST'), { name: 'KUBERNETES_SERVICE_HOST', value: kube.spec.clusterIP }, 'service links');
  assert.is(c.container.envFrom, undefined, 'envFrom is resolved into env');
  const byPath = new Map(c.mounts.map((m) => [m.containerPath, m]));
  assert.equal(byPath.get('/etc/app'), { hostPath: cfg, containerPath: '/etc/app', readOnly: true });
  assert.match(byPath.get('/etc/mode')!.hostPath, /kubernetes\.io~configmap\/whole\/\.\.\d{4}_[^/]+\/mode$/, 'a subPath is its real file, not the ..data link');
  assert.equal(byPath.get('/scratch'), { hostPath: join(volDir(uid, 'empty-dir', 'scratch'), 'prod'), containerPath: '/scratch', readOnly: false });
  assert.ok(existsSync(join(volDir(uid, 'empty-dir', 'scratch'), 'prod')), 'subPathExpr directory made');

  // An edit reaches the files at the next sync (60 s), atomically; the subPath mount keeps what it had.
  const before = readlinkSync(join(cfg, '..data'));
  await admin().must('api.patch', { target: t.cm('default', 'settings'), patchType: 'merge', patch: { data: { mode: 'staging', level: '3' } } });
  await advance(30_000);
  assert.is(readFileSync(join(cfg, 'conf/mode.txt'), 'utf8'), 'prod', 'not before the sync period');
  await advance(31_000);
  await until(() => readFileSync(join(cfg, 'conf/mode.txt'), 'utf8') === 'staging', 'the ConfigMap edit in the file');
  assert.is.not(readlinkSync(join(cfg, '..data')), before);
  await until(() => !existsSync(join(cfg, before)), 'the old timestamped directory is gone');
  await until(() => readFileSync(join(volDir(uid, 'projected', 'all'), 'mode'), 'utf8') === 'staging', 'the projected file too');
  // Pod labels reach the downwardAPI file the same way.
  await admin().must('api.patch', { target: t.pods('default', 'web'), patchType: 'merge', patch: { metadata: { labels: { app: 'web', tier: 'front' } } } });
  await advance(61_000);
  await until(() => readFileSync(join(volDir(uid, 'downward-api', 'info'), 'labels'), 'utf8') === 'app="web"\ntier="front"', 'new labels in the file');

  // Deleting the pod removes its volume tree.
  await admin().must('api.delete', { target: t.pods('default', 'web'), options: { gracePeriodSeconds: 0 } });
  await until(() => !existsSync(join(root, 'kubelet', 'node-1', 'pods', uid)), 'the pod directory removed');
});

test('a missing ConfigMap is a FailedMount; the pod waits in ContainerCreating and starts once it exists; a missing Secret key in env is CreateContainerConfigError', async () => {
  await boot('files');
  await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'waits' }, spec: { nodeName: 'node-1', volumes: [{ name: 'cfg', configMap: { name: 'later' } }], containers: [{ name: 'app', image: 'nginx:1.27', volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }] } } as KubeObject);
  await until(async () => (await eventsOf('waits', 'FailedMount')).length > 0, 'FailedMount');
  assert.equal(await eventsOf('waits', 'FailedMount'), ['MountVolume.SetUp failed for volume "cfg" : configmap "later" not found']);
  const waiting = await getPod('waits');
  assert.is(waiting.status?.phase, 'Pending');
  assert.is(waiting.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
  await create(t.cm(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later' }, data: { k: 'v' } });
  await until(async () => (await getPod('waits')).status?.phase === 'Running', 'starts once the ConfigMap exists');

  await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'noenv' }, spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx:1.27', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }], envFrom: [{ configMapRef: { name: 'later' }, prefix: '1' }] }] } } as KubeObject);
  await until(async () => (await getPod('noenv')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError', 'CreateContainerConfigError');
  assert.is((await getPod('noenv')).status?.containerStatuses?.[0]?.state?.waiting?.message, 'secret "nope" not found');
  assert.ok((await eventsOf('noenv', 'Failed')).includes('Error: secret "nope" not found'));
  assert.equal(await eventsOf('noenv', 'InvalidEnvironmentVariableNames'), ['Keys [1k] from the EnvFrom configMap default/later were skipped since they are considered invalid environment variable names.']);
});

test('hostPath: refused outside --allowed-host-paths, typed checks inside; a subPath through a symlink out of its volume is refused', async () => {
  const allowed = mkdtempSync(join(tmpdir(), 'kubeactor-host-'));
  try {
    await boot('files', { allowedHostPaths: [allowed] });
    await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'etc' }, spec: { nodeName: 'node-1', volumes: [{ name: 'h', hostPath: { path: '/etc' } }], containers: [{ name: 'app', image: 'nginx:1.27' }] } } as KubeObject);
    await until(async () => (await eventsOf('etc', 'FailedMount')).length > 0, 'refused hostPath');
    assert.equal(await eventsOf('etc', 'FailedMount'), [`MountVolume.SetUp failed for volume "h" : hostPath "/etc" is not under a prefix this kubelet allows (--allowed-host-paths: ${allowed})`]);
    symlinkSync('/etc', join(allowed, 'link'));
    await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'link' }, spec: { nodeName: 'node-1', volumes: [{ name: 'h', hostPath: { path: join(allowed, 'link') } }], containers: [{ name: 'app', image: 'nginx:1.27' }] } } as KubeObject);
    await until(async () => (await eventsOf('link', 'FailedMount')).length > 0, 'a link out of the allowed prefix is refused');
    await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'file' }, spec: { nodeName: 'node-1', volumes: [{ name: 'h', hostPath: { path: join(allowed, 'missing.txt'), type: 'File' } }], containers: [{ name: 'app', image: 'nginx:1.27' }] } } as KubeObject);
    await until(async () => (await eventsOf('file', 'FailedMount')).length > 0, 'File type check');
    assert.equal(await eventsOf('file', 'FailedMount'), [`MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${join(allowed, 'missing.txt')} is not a file`]);
    mkdirSync(join(allowed, 'data'));
    writeFileSync(join(allowed, 'data', 'x'), 'x');
    symlinkSync('/etc', join(allowed, 'data', 'out'));
    await create(t.pods(), {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ok' },
      spec: { nodeName: 'node-1', volumes: [{ name: 'd', hostPath: { path: join(allowed, 'new'), type: 'DirectoryOrCreate' } }, { name: 'e', hostPath: { path: join(allowed, 'data'), type: 'Directory' } }], containers: [{ name: 'app', image: 'nginx:1.27', volumeMounts: [{ name: 'd', mountPath: '/d' }, { name: 'e', mountPath: '/e', subPath: 'out' }] }] },
    } as KubeObject);
    await until(async () => (await getPod('ok')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError', 'subPath escape refused');
    assert.ok(statSync(join(allowed, 'new')).isDirectory(), 'DirectoryOrCreate made it');
    assert.is((await getPod('ok')).status?.containerStatuses?.[0]?.state?.waiting?.message, 'failed to prepare subPath for volumeMount "e" of container "app"');
  } finally {
    rmSync(allowed, { recursive: true, force: true });
  }
});

test('an emptyDir over its sizeLimit gets the pod evicted at the next housekeeping, as kubelet\'s eviction manager does', async () => {
  await boot('files');
  await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big' }, spec: { nodeName: 'node-1', volumes: [{ name: 'cache', emptyDir: { sizeLimit: '1Mi' } }], containers: [{ name: 'app', image: 'nginx:1.27', volumeMounts: [{ name: 'cache', mountPath: '/cache' }] }] } } as KubeObject);
  await until(async () => (await getPod('big')).status?.phase === 'Running', 'big Running');
  const uid = (await getPod('big')).metadata!.uid!;
  writeFileSync(join(volDir(uid, 'empty-dir', 'cache'), 'blob'), Buffer.alloc(2 * 1024 * 1024, 1));
  await until(async () => (await getPod('big')).status?.phase === 'Failed', 'evicted');
  const p = await getPod('big');
  assert.is(p.status?.reason, 'Evicted');
  assert.is(p.status?.message, 'Usage of EmptyDir volume "cache" exceeds the limit "1Mi". ');
  assert.equal(await eventsOf('big', 'Evicted'), ['Usage of EmptyDir volume "cache" exceeds the limit "1Mi". ']);
  await advance(5000);
  assert.ok((await admin().call('api.get', { target: t.pods('default', 'big') })).ok, 'an evicted pod stays, Failed');
});

test('a kubelet that starts removes the volume trees of pods it no longer has', async () => {
  const orphan = () => join(root, 'kubelet', 'node-1', 'pods', 'gone-uid', 'volumes', 'kubernetes.io~empty-dir', 'x');
  await boot('files', { before: () => mkdirSync(orphan(), { recursive: true }) });
  await until(() => !existsSync(join(root, 'kubelet', 'node-1', 'pods', 'gone-uid')), 'the orphan removed');
});

test('the projected token is bound to its pod and renewed once 80 % of its lifetime has passed (virtual time)', async () => {
  await boot('files');
  const source = { serviceAccountToken: { path: 'token', expirationSeconds: 600 } };
  await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'tok' }, spec: { nodeName: 'node-1', volumes: [{ name: 't', projected: { sources: [source] } }], containers: [{ name: 'app', image: 'nginx:1.27', volumeMounts: [{ name: 't', mountPath: '/t' }] }] } } as KubeObject);
  await until(async () => (await getPod('tok')).status?.phase === 'Running', 'tok Running');
  const uid = (await getPod('tok')).metadata!.uid!;
  const file = join(volDir(uid, 'projected', 't'), 'token');
  const claims = (tok: string) => JSON.parse(Buffer.from(tok.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number; 'kubernetes.io': { pod: { name: string; uid: string }; node: { name: string } } };
  const first = readFileSync(file, 'utf8');
  const c1 = claims(first);
  assert.equal(c1['kubernetes.io'].pod, { name: 'tok', uid });
  assert.is(c1['kubernetes.io'].node.name, 'node-1');
  assert.is(c1.exp - c1.iat, 600);
  // The kubelet's sync runs every minute; the token is due at 80 % of 600 s = 480 s.
  let renewedAfter = 0;
  // The file is written on the real disk after the sync: give each sync a moment of real time to land.
  const changed = () => eventually(() => readFileSync(file, 'utf8') !== first, { timeoutMs: 500, intervalMs: 20 }).then(() => true, () => false);
  for (let s = 60; s <= 600 && !renewedAfter; s += 60) {
    await advance(60_000);
    if (await changed()) renewedAfter = s;
  }
  assert.is(renewedAfter, 480, 'renewed at the first sync past 80 % of its life, not before');
  const c2 = claims(readFileSync(file, 'utf8'));
  assert.ok(c2.iat - c1.iat >= 480 && c2.iat - c1.iat < 540, `iat moved by ${c2.iat - c1.iat} s`);
  assert.equal(c2['kubernetes.io'].pod, { name: 'tok', uid });
});

test('the sim runtime writes no file, yet a missing ConfigMap is still a FailedMount', async () => {
  await boot('sim');
  await create(t.cm(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'here' }, data: { k: 'v' } });
  await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: { nodeName: 'node-1', volumes: [{ name: 'c', configMap: { name: 'here' } }, { name: 's', emptyDir: {} }], containers: [{ name: 'app', image: 'nginx:1.27' }] } } as KubeObject);
  await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, spec: { nodeName: 'node-1', volumes: [{ name: 'c', configMap: { name: 'absent' } }], containers: [{ name: 'app', image: 'nginx:1.27' }] } } as KubeObject);
  await until(async () => (await getPod('a')).status?.phase === 'Running', 'a Running');
  await until(async () => (await eventsOf('b', 'FailedMount')).length > 0, 'b FailedMount');
  assert.not.ok(existsSync(join(root, 'kubelet')), 'nothing written');
});

test('a sim pod\'s volumes are checked again at the minute\'s sync once what they are made of changed: its deleted ConfigMap is a FailedMount', async () => {
  await boot('sim');
  await create(t.cm(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'soon-gone' }, data: { k: 'v' } });
  await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' }, spec: { nodeName: 'node-1', volumes: [{ name: 'c', configMap: { name: 'soon-gone' } }], containers: [{ name: 'app', image: 'nginx:1.27' }] } } as KubeObject);
  await until(async () => (await getPod('c')).status?.phase === 'Running', 'c Running');
  await advance(61_000);
  assert.equal(await eventsOf('c', 'FailedMount'), [], 'an unchanged pod stays as it was');
  await admin().must('api.delete', { target: t.cm('default', 'soon-gone') });
  await advance(61_000);
  await until(async () => (await eventsOf('c', 'FailedMount')).length > 0, 'c FailedMount after its ConfigMap went');
  assert.match((await eventsOf('c', 'FailedMount'))[0]!, /configmap "soon-gone" not found/);
});

test('the Node authorizer: a node reads (and watches by name) only the Secrets its pods reference', async () => {
  await boot('sim');
  await create(secretT(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'used' }, data: { k: b64('v') } });
  await create(secretT(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other' }, data: { k: b64('v') } });
  await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'node-1', volumes: [{ name: 's', secret: { secretName: 'used' } }], containers: [{ name: 'app', image: 'nginx:1.27' }] } } as KubeObject);
  await until(async () => (await getPod('p')).status?.phase === 'Running', 'p Running');
  // The spec speaks as node-1's kubelet, so the real one steps aside (its pod stays bound to node-1).
  stopKubelet(h.host, 'node-1');
  const k = h.client('kubelet.node-1');
  assert.ok((await k.call('api.get', { target: secretT('used') })).ok);
  const list = await k.call('api.list', { target: secretT(), options: { fieldSelector: 'metadata.name=used' } });
  assert.ok(list.ok, 'a list by name of a referenced Secret');
  const denied = await k.call('api.get', { target: secretT('other') });
  assert.ok(!denied.ok && denied.status.code === 403);
  assert.is(denied.status.message, 'secrets "other" is forbidden: User "system:node:node-1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node "node-1" and this object');
  const all = await k.call('api.list', { target: secretT() });
  assert.ok(!all.ok && all.status.code === 403, 'no list of every Secret');
});

test('a PersistentVolumeClaim volume waits with FailedMount until the claim is Bound, then the container gets the PV\'s directory', async () => {
  await boot('files');
  const disk = mkdtempSync(join(tmpdir(), 'kubeactor-pv-'));
  try {
    const pvcT = (name?: string, sub?: string) => ({ group: '', version: 'v1', resource: 'persistentvolumeclaims', namespace: 'default', ...(name ? { name } : {}), ...(sub ? { subresource: sub } : {}) });
    const pvT = { group: '', version: 'v1', resource: 'persistentvolumes' };
    const claim = (await create(pvcT(), { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', volumeName: 'pv-data', resources: { requests: { storage: '1Gi' } } } } as KubeObject)) as { object?: KubeObject } & KubeObject;
    const claimUid = (claim.object ?? claim).metadata!.uid!;
    await create(t.pods(), {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db' },
      spec: { nodeName: 'node-1', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }, { name: 'seed', persistentVolumeClaim: { claimName: 'data', readOnly: true } }], containers: [{ name: 'app', image: 'nginx:1.27', volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'seed', mountPath: '/seed' }] }] },
    } as KubeObject);
    await until(async () => (await eventsOf('db', 'FailedMount')).length > 0, 'FailedMount while the claim is Pending');
    assert.equal(await eventsOf('db', 'FailedMount'), ['MountVolume.SetUp failed for volume "data" : error processing PVC default/data: PVC is not bound']);
    assert.is((await getPod('db')).status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
    await advance(5000);
    assert.is(created.length, 0, 'no container while the claim is unbound');

    await create(pvT, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-data' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: disk }, claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: claimUid } } } as KubeObject);
    const current = (await admin().must('api.get', { target: pvcT('data') })) as KubeObject;
    await admin().must('api.update', { target: pvcT('data', 'status'), object: { ...current, status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } } as KubeObject });
    await until(async () => (await getPod('db')).status?.phase === 'Running', 'Running once the claim is Bound (retried on the retry timer)');
    const byPath = new Map(created.at(-1)!.mounts.map((m) => [m.containerPath, m]));
    assert.equal(byPath.get('/data'), { hostPath: disk, containerPath: '/data', readOnly: false });
    assert.equal(byPath.get('/seed'), { hostPath: disk, containerPath: '/seed', readOnly: true }, 'readOnly from the volume source');

    // The node reads only the claims its pods name, and the volumes bound to them.
    await create(pvcT(), { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'other' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } as KubeObject);
    stopKubelet(h.host, 'node-1');
    const k = h.client('kubelet.node-1');
    assert.ok((await k.call('api.get', { target: pvcT('data') })).ok);
    assert.ok((await k.call('api.get', { target: { ...pvT, name: 'pv-data' } })).ok);
    const denied = await k.call('api.get', { target: pvcT('other') });
    assert.ok(!denied.ok && denied.status.code === 403);
    assert.is(denied.status.message, 'persistentvolumeclaims "other" is forbidden: User "system:node:node-1" cannot get resource "persistentvolumeclaims" in API group "" in the namespace "default": no relationship found between node "node-1" and this object');
  } finally {
    rmSync(disk, { recursive: true, force: true });
  }
});

test('the sim runtime checks claims (and a generic ephemeral volume\'s ownership) the same way without touching disk', async () => {
  await boot('sim');
  await create({ group: '', version: 'v1', resource: 'persistentvolumeclaims', namespace: 'default' } as ReturnType<typeof t.cm>, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } as KubeObject);
  await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 's' }, spec: { nodeName: 'node-1', volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'c' } }], containers: [{ name: 'app', image: 'nginx:1.27', volumeMounts: [{ name: 'v', mountPath: '/v' }] }] } } as KubeObject);
  await until(async () => (await eventsOf('s', 'FailedMount')).length > 0, 'FailedMount');
  assert.equal(await eventsOf('s', 'FailedMount'), ['MountVolume.SetUp failed for volume "v" : error processing PVC default/c: PVC is not bound']);
  assert.is((await getPod('s')).status?.phase, 'Pending');
  // A generic ephemeral volume's claim is <pod>-<volume>, and must be the pod's own.
  await create({ group: '', version: 'v1', resource: 'persistentvolumeclaims', namespace: 'default' } as ReturnType<typeof t.cm>, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'e-scratch' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } as KubeObject);
  await create(t.pods(), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'e' }, spec: { nodeName: 'node-1', volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }], containers: [{ name: 'app', image: 'nginx:1.27' }] } } as KubeObject);
  await until(async () => (await eventsOf('e', 'FailedMount')).length > 0, 'FailedMount for a claim the pod does not own');
  assert.equal(await eventsOf('e', 'FailedMount'), ['MountVolume.SetUp failed for volume "scratch" : error processing ephemeral volume: PVC default/e-scratch was not created for the pod']);
  assert.not.ok(existsSync(join(root, 'kubelet')), 'nothing written');
});

test.run();
