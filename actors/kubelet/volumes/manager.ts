/**
 * The kubelet's volume manager: sets a pod's volumes up before its sandbox starts, keeps
 * its API-data volumes current, measures emptyDir usage against sizeLimit, and removes the
 * pod's volume tree once the pod is gone.
 *
 * Layout, as kubelet's: `<root>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>` under
 * `<data-dir>/kubelet/<node>`; hostPath volumes are the host path itself.
 *
 * - persistentVolumeClaim and generic ephemeral volumes are the host directory of the bound
 *   PV (claim.ts); the pod waits with FailedMount until its claim is Bound.
 * - Set-up failures (a missing ConfigMap, a refused hostPath, an unbound claim…) are `FailedMount` events with
 *   kubelet's message (`MountVolume.SetUp failed for volume "v" : …`); the pod waits in
 *   ContainerCreating and the set-up is retried when a referenced object changes and every
 *   `retryMs`.
 * - Refresh: every `syncMs` (kubelet's syncFrequency, 1 min) each running pod's configMap,
 *   secret, downwardAPI and projected volumes are rebuilt from the watched objects and the
 *   pod's current labels/annotations, and written only when they changed; service-account
 *   tokens are renewed once 80 % of their lifetime has passed (kubelet's token manager). A pod
 *   whose files are not written (sim) is rebuilt only when something its payload is made of
 *   changed since: the same inputs make the same payload, so its rebuild could show nothing
 *   new (a FailedMount), and rebuilding every pod of a 150,000-pod cluster each minute was a
 *   tenth of the main thread late in density's largest run.
 * - Eviction: every `housekeepingMs` (the eviction manager's 10 s) an emptyDir with a
 *   sizeLimit whose usage exceeds it gets the pod evicted (`onEvict`, kubelet's message).
 * - A runtime that mounts nothing (sim) gets `writeFiles: false`: payloads are still built
 *   (so a missing ConfigMap is still a FailedMount) but nothing touches the disk, no token
 *   is requested, and a pod without volumes costs nothing at all.
 */
import type { ConfigMap, Pod, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Port } from '../../../bus/bus.ts';
import type { Envelope } from '../../../base/envelope.ts';
import type { Clock, TimerId } from '../../../base/clock.ts';
import type { Logger } from '../../actor-def.ts';
import { parseQuantity, toBytes, formatQuantity } from '../../../api/quantity.ts';
import { configMapPayload, downwardPayload, projectedPayload, secretPayload, type Fetched, type PayloadResult } from '../../../machines/kubelet/volumes/payload.ts';
import { writeAtomic } from './atomic-writer.ts';
import { ensurePrivateDir } from '../../data-dir.ts';
import { diskUsage, MEMORY_MEDIUM_FALLBACK, memoryVolumesRoot, setUpEmptyDir } from './empty-dir.ts';
import { hostPathNotAllowed, setUpHostPath } from './host-path.ts';
import { ObjectCache, type IssuedToken, type ObjectResource } from './objects.ts';
import { containerMounts, type MountsResult, type VolumeDir } from './mounts.ts';
import type { Container } from 'kubernetes-types/core/v1.js';
import { ApiClient } from '../../client/index.ts';
import { claimVolumeDir } from './claim.ts';

export const DEFAULT_SYNC_MS = 60_000;
export const DEFAULT_HOUSEKEEPING_MS = 10_000;
export const DEFAULT_MOUNT_RETRY_MS = 2_000;

export interface VolumeManagerOptions {
  port: Port;
  clock: Clock;
  log: Logger;
  /** `<data-dir>/kubelet/<node>`. */
  rootDir: string;
  /** Whether any runtime of this kubelet mounts volumes (orphaned pod trees are then cleaned up); each pod says for itself in `setUp`. */
  writeFiles: boolean;
  /** hostPath prefixes the kubelet allows (`--allowed-host-paths`); empty refuses every hostPath. */
  allowedHostPaths: readonly string[];
  allocatable: Record<string, string>;
  /** Records a pod event (FailedMount, Evicted…). */
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** The pod must be evicted with this message (kubelet's eviction manager). */
  onEvict(uid: string, message: string): void;
  syncMs?: number;
  housekeepingMs?: number;
  retryMs?: number;
}

const PLUGIN: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

type TimerName = 'sync' | 'retry' | 'housekeeping';

const isApiData = (v: Volume): boolean => !!(v.configMap || v.secret || v.downwardAPI || v.projected);
const uidOf = (p: Pod): string => p.metadata?.uid ?? '';

class PodVolumes {
  ready = false;
  lastError = '';
  evicted = false;
  released = false;
  /** A sync is running; `again` asks for one more after it (two writers must not race on `..data`). */
  syncing = false;
  again = false;
  readonly dirs = new Map<string, VolumeDir>();
  /** Token of projected source (volume name + source index). */
  readonly tokens = new Map<string, IssuedToken>();
  readonly waiters: (() => void)[] = [];
  /** Not written (sim): an input of its payload (a watched object, the pod's labels, annotations or spec) changed since its last build. */
  stale = false;
  /** Files are written for this pod: its runtime mounts volumes (not the sim). */
  constructor(public pod: Pod, readonly disk: boolean) {}
}

export class VolumeManager {
  readonly #pods = new Map<string, PodVolumes>();
  readonly #objects: ObjectCache;
  readonly #api: ApiClient;
  /** One-shot timers, armed only while there is something to do (a kubelet without volumes arms none). */
  readonly #timers: Record<TimerName, TimerId | undefined> = { sync: undefined, retry: undefined, housekeeping: undefined };
  #running = false;
  #warnedMemory = false;
  #memoryRootFound: string | null | undefined;

  /**
   * Where Memory emptyDirs go: a tmpfs (null: none, they fall back to disk). Looked up at the
   * first pod that needs it, not at construction: reading /proc/mounts for each of 5,000 sim
   * kubelets cost about 0.5 s of the kwok bench's main thread (2.4 % of its nodes phase).
   */
  get #memoryRoot(): string | null {
    if (this.#memoryRootFound === undefined) this.#memoryRootFound = memoryVolumesRoot();
    return this.#memoryRootFound;
  }

  constructor(private readonly o: VolumeManagerOptions) {
    this.#objects = new ObjectCache(o.port, o.clock, (key) => this.#objectChanged(key));
    this.#api = new ApiClient(o.port);
  }

  start(): void {
    this.#running = true;
    this.#schedule();
  }

  /** Arms each periodic timer that has work: refresh (API-data volumes), retry (a failed set-up), housekeeping (an emptyDir sizeLimit). */
  #schedule(): void {
    if (!this.#running) return;
    const pods = [...this.#pods.values()];
    const arm = (name: TimerName, wanted: boolean, ms: number, run: () => void): void => {
      if (!wanted || this.#timers[name] !== undefined) return;
      this.#timers[name] = this.o.clock.setTimeout(() => {
        this.#timers[name] = undefined;
        run();
        this.#schedule();
      }, ms);
    };
    arm('sync', pods.some((p) => p.ready && (p.pod.spec?.volumes ?? []).some(isApiData)), this.o.syncMs ?? DEFAULT_SYNC_MS, () => this.#refresh());
    arm('retry', pods.some((p) => !p.ready), this.o.retryMs ?? DEFAULT_MOUNT_RETRY_MS, () => this.#retryFailed());
    const limited = pods.some((p) => p.disk && p.ready && (p.pod.spec?.volumes ?? []).some((v) => v.emptyDir?.sizeLimit !== undefined));
    arm('housekeeping', limited, this.o.housekeepingMs ?? DEFAULT_HOUSEKEEPING_MS, () => void this.#housekeeping());
  }

  stop(): void {
    this.#running = false;
    for (const [name, t] of Object.entries(this.#timers)) {
      if (t !== undefined) this.o.clock.clearTimeout(t);
      this.#timers[name as TimerName] = undefined;
    }
    this.#objects.stop();
    for (const p of this.#pods.values()) this.#wake(p);
    this.#pods.clear();
  }

  handle(env: Envelope): boolean {
    return this.#objects.handle(env);
  }

  /** The watched ConfigMaps and Secrets, shared with the container environment. */
  get objects(): ObjectCache {
    return this.#objects;
  }

  /** Where the pod's volumes live. */
  podDir(uid: string): string {
    return join(this.o.rootDir, 'pods', uid, 'volumes');
  }

  /** True when the pod has volumes to set up (a pod without any costs nothing). */
  static needed(pod: Pod): boolean {
    return (pod.spec?.volumes?.length ?? 0) > 0;
  }

  /**
   * For a runtime that mounts nothing (the sim): the pod's volumes set up at once when all
   * they reference is already in the kubelet's caches — then the pod needs no wait before its
   * sandbox, and sim pods with only the kube-api-access volume start as cheaply as pods
   * without volumes. False: `setUp` must run (an object not watched yet, a claim to wait for,
   * a failure to report as FailedMount).
   */
  setUpNow(pod: Pod): boolean {
    const uid = uidOf(pod);
    if (this.#pods.get(uid)?.ready) return true;
    const p = new PodVolumes(pod, false);
    for (const v of pod.spec?.volumes ?? []) {
      if (v.persistentVolumeClaim || v.ephemeral || v.emptyDir?.medium === 'Memory') return false;
      if (v.hostPath && allowedOnly(v.hostPath.path, this.o.allowedHostPaths) !== null) return false;
      if (!isApiData(v)) continue;
      const ns = pod.metadata?.namespace ?? 'default';
      const built = this.#build(p, v, (resource, name) => this.#objects.peek(resource, ns, name, uid));
      if (!built?.ok) return false;
    }
    p.ready = true;
    this.#pods.set(uid, p);
    return true;
  }

  /**
   * Starts setting the pod's volumes up; resolves once they are ready (or the pod was
   * released). `disk`: the pod's runtime mounts volumes, so files are written (the sim's
   * pods get their volumes checked, events included, without touching the disk).
   */
  setUp(pod: Pod, disk: boolean): Promise<void> {
    const uid = uidOf(pod);
    let p = this.#pods.get(uid);
    if (!p) this.#pods.set(uid, (p = new PodVolumes(pod, disk)));
    if (p.ready) return Promise.resolve();
    const waiting = new Promise<void>((resolve) => p.waiters.push(resolve));
    void this.#sync(p, true);
    this.#schedule();
    return waiting;
  }

  /** The pod object changed (labels, annotations): refreshed at the next sync. */
  update(pod: Pod): void {
    const p = this.#pods.get(uidOf(pod));
    if (!p) return;
    // A status write shares the stored version's labels, annotations and spec (the apiserver's
    // shareUnchanged): only another object there can change a payload.
    const was = p.pod;
    if (was.metadata?.labels !== pod.metadata?.labels || was.metadata?.annotations !== pod.metadata?.annotations || was.spec !== pod.spec) p.stale = true;
    p.pod = pod;
  }

  /** The container's mounts, once its pod's volumes are ready. */
  async mounts(uid: string, c: Container, env: readonly { name: string; value: string }[]): Promise<MountsResult> {
    const p = this.#pods.get(uid);
    return containerMounts(c, p?.dirs ?? new Map(), env, p?.disk ?? false);
  }

  /**
   * kubelet's cleanupOrphanedPodDirs: removes the volume trees of pods this node no longer
   * has (deleted while the kubelet was down). `keep` are the uids the first pod list returned.
   */
  async removeOrphans(keep: ReadonlySet<string>): Promise<void> {
    if (!this.o.writeFiles) return;
    const dir = join(this.o.rootDir, 'pods');
    for (const uid of await readdir(dir).catch(() => [] as string[])) {
      if (keep.has(uid) || this.#pods.has(uid)) continue;
      await rm(join(dir, uid), { recursive: true, force: true }).catch((err: unknown) => this.o.log.warn('could not remove an orphaned pod directory', { uid, error: String(err) }));
    }
  }

  /** The pod is gone: stop its watches and remove its volume tree (hostPath contents are never touched). */
  async release(uid: string): Promise<void> {
    const p = this.#pods.get(uid);
    if (!p) return;
    p.released = true;
    this.#pods.delete(uid);
    this.#wake(p);
    this.#objects.release(uid);
    const removed = (err: unknown) => this.o.log.warn('could not remove pod volumes', { uid, error: String(err) });
    if (p.disk) await rm(join(this.o.rootDir, 'pods', uid), { recursive: true, force: true }).catch(removed);
    if (p.disk && this.#memoryRoot) await rm(join(this.#memoryRoot, uid), { recursive: true, force: true }).catch(removed);
  }

  /** The kubelet's own directory is private (0700): pod volumes below it keep the modes their pods ask for. */
  #ensureRoot(): void {
    ensurePrivateDir(this.o.rootDir);
  }

  #wake(p: PodVolumes): void {
    for (const w of p.waiters.splice(0)) w();
  }

  #retryFailed(): void {
    for (const p of this.#pods.values()) if (!p.ready) void this.#sync(p, true);
  }

  /** A watched ConfigMap or Secret (`resource/namespace/name`) was added, changed or deleted. */
  #objectChanged(key: string): void {
    const ns = key.split('/')[1];
    for (const p of this.#pods.values()) if (!p.disk && (p.pod.metadata?.namespace ?? 'default') === ns) p.stale = true;
    this.#retryFailed();
  }

  #refresh(): void {
    for (const p of this.#pods.values()) {
      if (!p.ready || (!p.disk && !p.stale)) continue;
      p.stale = false;
      void this.#sync(p, false);
    }
  }

  async #sync(p: PodVolumes, first: boolean): Promise<void> {
    if (p.syncing) {
      p.again = true;
      return;
    }
    p.syncing = true;
    try {
      do {
        p.again = false;
        await this.#syncOnce(p, first || !p.ready);
      } while (p.again && !p.released);
    } finally {
      p.syncing = false;
    }
  }

  async #syncOnce(p: PodVolumes, first: boolean): Promise<void> {
    let failed = '';
    for (const v of p.pod.spec?.volumes ?? []) {
      if (!first && !isApiData(v)) continue;
      const err = await this.#setUpVolume(p, v).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
      if (p.released) return;
      if (err) {
        failed = `MountVolume.SetUp failed for volume ${JSON.stringify(v.name)} : ${err}`;
        break;
      }
    }
    if (failed) {
      if (failed !== p.lastError) this.o.event(p.pod, 'Warning', 'FailedMount', failed);
      p.lastError = failed;
      return;
    }
    p.lastError = '';
    if (!p.ready) {
      p.ready = true;
      this.#wake(p);
      this.#schedule();
    }
  }

  /** null when the volume is set up (or needs nothing here), else the plugin's error. */
  async #setUpVolume(p: PodVolumes, v: Volume): Promise<string | null> {
    const uid = uidOf(p.pod);
    const plugin = Object.keys(PLUGIN).find((k) => (v as unknown as Record<string, unknown>)[k] !== undefined);
    const dir = plugin ? join(this.podDir(uid), PLUGIN[plugin]!, v.name) : '';
    if (v.hostPath) {
      if (!p.disk) return allowedOnly(v.hostPath.path, this.o.allowedHostPaths);
      const err = await setUpHostPath(v.hostPath.path, v.hostPath.type, this.o.allowedHostPaths);
      if (!err) p.dirs.set(v.name, { path: v.hostPath.path, readOnly: false });
      return err;
    }
    if (v.emptyDir) {
      const inMemory = v.emptyDir.medium === 'Memory' ? this.#memoryRoot : undefined;
      if (inMemory === null) {
        if (!this.#warnedMemory) this.o.log.warn(MEMORY_MEDIUM_FALLBACK);
        this.#warnedMemory = true;
        this.o.event(p.pod, 'Normal', 'EmptyDirOnDisk', `volume ${JSON.stringify(v.name)}: ${MEMORY_MEDIUM_FALLBACK}`);
      }
      const path = inMemory ? join(inMemory, uid, v.name) : dir;
      if (p.disk) {
        this.#ensureRoot();
        if (inMemory) await mkdir(join(inMemory, uid), { recursive: true, mode: 0o700 });
        await setUpEmptyDir(path);
      }
      p.dirs.set(v.name, { path, readOnly: false });
      return null;
    }
    if (v.persistentVolumeClaim || v.ephemeral) {
      const got = await claimVolumeDir(this.#api, p.pod, v);
      if (!got.ok) return got.error;
      p.dirs.set(v.name, got.dir);
      return null;
    }
    if (!isApiData(v)) return null; // other sources: nothing this kubelet sets up
    const built = await this.#payload(p, v);
    if (!built.ok) return built.error;
    if (p.disk) {
      this.#ensureRoot();
      await writeAtomic(dir, built.payload, this.o.clock.now());
    }
    p.dirs.set(v.name, { path: dir, readOnly: true });
    return null;
  }

  async #payload(p: PodVolumes, v: Volume): Promise<PayloadResult> {
    const ns = p.pod.metadata?.namespace ?? 'default';
    const uid = uidOf(p.pod);
    // Every object the volume names is watched and listed first (or failed to be); the payload is then built from what that gave.
    const fetched = new Map<string, Fetched<ConfigMap | Secret>>();
    const tokens = new Map<number, { token: string } | { error: string }>();
    const fetch = async (resource: ObjectResource, name = '') => void fetched.set(`${resource}/${name}`, await this.#objects.get(resource, ns, name, uid));
    if (v.configMap) await fetch('configmaps', v.configMap.name);
    if (v.secret) await fetch('secrets', v.secret.secretName);
    for (const [i, s] of (v.projected?.sources ?? []).entries()) {
      if (s.configMap) await fetch('configmaps', s.configMap.name);
      if (s.secret) await fetch('secrets', s.secret.name);
      if (s.serviceAccountToken) tokens.set(i, await this.#token(p, `${v.name}/${i}`, s.serviceAccountToken.audience, s.serviceAccountToken.expirationSeconds ?? 3600));
    }
    return this.#build(p, v, (resource, name) => fetched.get(`${resource}/${name}`) ?? null, tokens)!;
  }

  /**
   * An API-data volume's payload from `look` (undefined: an object it names is not listed
   * yet, and so is the answer). `tokens`: each projected token source's token (the sim's: an empty one).
   */
  #build(p: PodVolumes, v: Volume, look: (resource: ObjectResource, name: string) => Fetched<ConfigMap | Secret> | undefined, tokens = new Map<number, { token: string } | { error: string }>()): PayloadResult | undefined {
    if (v.configMap) {
      const cm = look('configmaps', v.configMap.name ?? '');
      return cm === undefined ? undefined : configMapPayload(v.configMap, cm as Fetched<ConfigMap>);
    }
    if (v.secret) {
      const sec = look('secrets', v.secret.secretName ?? '');
      return sec === undefined ? undefined : secretPayload(v.secret, sec as Fetched<Secret>);
    }
    if (v.downwardAPI) return downwardPayload(v.downwardAPI.items, p.pod, this.o.allocatable, v.downwardAPI.defaultMode);
    const src = v.projected!;
    const configMaps = new Map<string, Fetched<ConfigMap>>();
    const secrets = new Map<string, Fetched<Secret>>();
    for (const [i, s] of (src.sources ?? []).entries()) {
      if (s.configMap) {
        const got = look('configmaps', s.configMap.name ?? '');
        if (got === undefined) return undefined;
        configMaps.set(s.configMap.name ?? '', got as Fetched<ConfigMap>);
      }
      if (s.secret) {
        const got = look('secrets', s.secret.name ?? '');
        if (got === undefined) return undefined;
        secrets.set(s.secret.name ?? '', got as Fetched<Secret>);
      }
      if (s.serviceAccountToken && !tokens.has(i)) tokens.set(i, { token: '' });
    }
    return projectedPayload(src, p.pod, { configMaps, secrets, tokens, allocatable: this.o.allocatable });
  }

  /** The pod's token for one source, renewed past 80 % of its life; a placeholder when no file is written. */
  async #token(p: PodVolumes, key: string, audience: string | undefined, expirationSeconds: number): Promise<{ token: string } | { error: string }> {
    if (!p.disk) return { token: '' };
    const now = this.o.clock.now();
    const have = p.tokens.get(key);
    if (have && now < have.expiresAt - expirationSeconds * 1000 * 0.2) return have;
    const m = p.pod.metadata ?? {};
    const got = await this.#objects.requestToken(m.namespace ?? 'default', p.pod.spec?.serviceAccountName || 'default', { name: m.name ?? '', uid: m.uid ?? '' }, audience, expirationSeconds);
    if ('token' in got) p.tokens.set(key, got);
    return got;
  }

  /** The eviction manager's emptyDir check. */
  async #housekeeping(): Promise<void> {
    for (const p of [...this.#pods.values()]) {
      if (!p.ready || p.evicted) continue;
      for (const v of p.pod.spec?.volumes ?? []) {
        const limit = v.emptyDir?.sizeLimit === undefined ? null : parseQuantity(String(v.emptyDir.sizeLimit));
        if (!limit?.ok || toBytes(limit.value) <= 0n) continue;
        const used = await diskUsage(p.dirs.get(v.name)?.path ?? join(this.podDir(uidOf(p.pod)), PLUGIN.emptyDir!, v.name));
        if (p.released || p.evicted || BigInt(used) <= toBytes(limit.value)) continue;
        p.evicted = true;
        const message = `Usage of EmptyDir volume ${JSON.stringify(v.name)} exceeds the limit ${JSON.stringify(formatQuantity(limit.value))}. `;
        this.o.event(p.pod, 'Warning', 'Evicted', message);
        this.o.onEvict(uidOf(p.pod), message);
        break;
      }
    }
  }
}

function allowedOnly(path: string, allowed: readonly string[]): string | null {
  const norm = join('/', path);
  return allowed.some((a) => norm === join('/', a) || norm.startsWith(join('/', a) + '/')) ? null : hostPathNotAllowed(path, allowed);
}
