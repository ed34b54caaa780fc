/**
 * The pods of one node: follows the pods bound to it (an informer on
 * `spec.nodeName=<node>`) and runs one ROOT pod actor per pod (never chart children: 10k
 * pods per process), with its IP from the node's pod range. Pod reports go to the status
 * manager (pods/status) and to core/v1 Events.
 *
 * Deletion, as the kubelet does it: a pod that gets a deletionTimestamp is told to
 * terminate with its deletionGracePeriodSeconds; once its actor reports it terminated, the
 * final status is written and the pod deleted with gracePeriodSeconds 0 and a uid
 * precondition. A pod that vanished from the apiserver (force delete) or was replaced by
 * a new pod of the same name is stopped at once (grace 0) and forgotten without a write.
 *
 * Before a pod's sandbox starts its volumes are set up (volumes/manager.ts), and before each
 * container is created its environment is resolved (env/resolve.ts) and its mounts
 * prepared; a pod evicted by the volume manager (emptyDir over its sizeLimit) ends Failed
 * with reason Evicted and is not deleted, as kubelet's eviction manager leaves it.
 *
 * Runtimes: a pod runs on its RuntimeClass's handler (the class is read once, when the pod
 * starts here), else on the node's default; an unknown class or handler leaves the pod
 * Pending with a FailedCreatePodSandBox event, as kubelet does.
 *
 * Simplifications: pods are not admitted against the node's allocatable (no OutOf<cpu>
 * rejections); a restarted kubelet starts the pods it finds afresh (it does not adopt the
 * runtime's containers); a pod already Succeeded or Failed is not run again.
 */
import type { ObjectReference, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Port } from '../../bus/bus.ts';
import type { Envelope } from '../../base/envelope.ts';
import type { Logger } from '../actor-def.ts';
import type { Clock } from '../../base/clock.ts';
import type { EventRecorder } from '../events.ts';
import { Informer } from '../informer.ts';
import { startPodActor, type PodActor, type PodActorOptions, type PodOutput } from '../pod/index.ts';
import type { PodEventRecord } from '../../machines/pod/types.ts';
import type { ChildObserver } from '../lifecycle.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { noHandler, runtimeClassOf, type RuntimeHandlers } from './runtimes.ts';
import { Ipv4Range } from '../../machines/kubelet/cidr.ts';
import { ApiClient, isConflictOrExists, isNotFound, targets } from '../client/index.ts';
import { StatusManager } from './status-manager.ts';
import { VolumeManager } from './volumes/manager.ts';
import { EnvResolver } from './env/resolve.ts';
import type { PodHooks, PreparedContainer } from '../pod/hooks.ts';
import type { Container } from 'kubernetes-types/core/v1.js';
import { PodDnsFiles } from './dns-files.ts';
import type { ClusterDnsSettings } from '../../machines/kubelet/dns.ts';

export interface PodManagerOptions {
  port: Port;
  /** The status manager's port (default `port`): the kubelet's client without retries (see StatusManager). */
  statusPort?: Port;
  clock: Clock;
  /** The kubelet's seeded [0, 1) source (the status manager's retry jitter). */
  random: () => number;
  log: Logger;
  nodeName: string;
  hostIP: string;
  runtimes: RuntimeHandlers;
  events: EventRecorder;
  /** The kubelet's `ActorContext.observe`, handed to each pod actor. */
  observe?: ChildObserver;
  /** Starts one pod actor (default `startPodActor`; a replay of the kubelet hears its pods' recorded reports instead). */
  startPod?: (o: PodActorOptions) => PodActor;
  /** Where volumes go and what the volume manager allows (see KubeletOptions). */
  volumes: { rootDir: string; allowedHostPaths: readonly string[]; allocatable: Record<string, string>; syncMs?: number; housekeepingMs?: number; retryMs?: number };
  /** clusterDNS, clusterDomain and the resolv.conf dnsPolicy Default reads (see KubeletOptions). */
  dns: ClusterDnsSettings & { resolvConf: string };
}

/** One pod this kubelet runs; a class so that 10k of them share one hidden shape. */
class PodEntry {
  actor: PodActor | null = null;
  runtime: Runtime | null = null;
  ip: string | null = null;
  /** The actor was told to terminate. */
  deleting = false;
  terminated = false;
  /** Gone from the apiserver (or replaced): finish without writing. */
  removed = false;
  /** Evicted by the kubelet: the final status is written, the pod is not deleted. */
  evicted = false;
  constructor(readonly key: string, readonly uid: string, public pod: Pod) {}
}

/** What a pod's reports go to: one per PodManager, its closures made once. */
interface ReportSink {
  status(uid: string, status: PodStatus): void;
  event(ref: ObjectReference, ev: PodEventRecord): void;
  terminated(e: PodEntry): void;
}

/**
 * One pod actor's PodOutput: a small object per pod whose methods are on the prototype (three
 * closures per pod with their context cost about 300 bytes of heap per pod more).
 */
class PodReports implements PodOutput {
  constructor(private readonly sink: ReportSink, private readonly e: PodEntry, private readonly ref: ObjectReference) {}
  onStatus(status: PodStatus): void {
    this.sink.status(this.e.uid, status);
  }
  onEvent(ev: PodEventRecord): void {
    this.sink.event(this.ref, ev);
  }
  onTerminated(): void {
    this.sink.terminated(this.e);
  }
}

const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export class PodManager {
  readonly #byUid = new Map<string, PodEntry>();
  readonly #reports: ReportSink = {
    status: (uid, status) => this.#status.set(uid, status),
    event: (ref, ev) => void this.o.events.record(ev.fieldPath ? { ...ref, fieldPath: ev.fieldPath } : ref, ev.type, ev.reason, ev.message),
    terminated: (e) => void this.#terminated(e),
  };
  readonly #byKey = new Map<string, PodEntry>();
  readonly #status: StatusManager;
  readonly #informer: Informer;
  #ipam: Ipv4Range | null = null;
  #stopped = false;
  readonly #api: ApiClient;
  readonly #volumes: VolumeManager;
  readonly #env: EnvResolver;
  readonly #dns: PodDnsFiles;
  /** Whether any runtime of this kubelet mounts volumes (the sim does not). */
  readonly #mountsFiles: boolean;

  constructor(private readonly o: PodManagerOptions) {
    this.#api = new ApiClient(o.port);
    this.#mountsFiles = o.runtimes.names.some((n) => n !== 'sim');
    const v = o.volumes;
    this.#volumes = new VolumeManager({
      port: o.port,
      clock: o.clock,
      log: o.log,
      rootDir: v.rootDir,
      writeFiles: this.#mountsFiles,
      allowedHostPaths: v.allowedHostPaths,
      allocatable: v.allocatable,
      event: (pod, type, reason, message) => void o.events.record(podRef(pod), type, reason, message),
      onEvict: (uid, message) => this.#evict(uid, message),
      ...(v.syncMs ? { syncMs: v.syncMs } : {}),
      ...(v.housekeepingMs ? { housekeepingMs: v.housekeepingMs } : {}),
      ...(v.retryMs ? { retryMs: v.retryMs } : {}),
    });
    this.#env = new EnvResolver({ port: o.port, clock: o.clock, objects: this.#volumes.objects, serviceLinks: this.#mountsFiles, allocatable: v.allocatable, hostIP: o.hostIP });
    this.#dns = new PodDnsFiles({ ...o.dns, rootDir: v.rootDir });
    this.#status = new StatusManager(o.statusPort ?? o.port, o.log, o.clock, o.random);
    const sync = (key: string) => this.#sync(key);
    // Its own watch, not the process's shared informers (actors/informers/): the Node
    // authorizer lets a node list and watch only the pods bound to it (this field selector).
    this.#informer = new Informer({
      port: o.port,
      clock: o.clock,
      target: targets.pods(),
      fieldSelector: `spec.nodeName=${o.nodeName}`,
      handlers: { add: sync, update: sync, delete: sync },
      name: 'pods',
    });
  }

  /** The node's pod range (known at registration, or later). Set once. */
  setPodCIDR(cidr: string): void {
    if (this.#ipam?.cidr === cidr) return;
    if (this.#ipam) return this.o.log.warn('pod range changed while pods run; keeping the first', { first: this.#ipam.cidr, next: cidr });
    this.#ipam = new Ipv4Range(cidr);
  }

  start(): void {
    this.#stopped = false;
    this.#volumes.start();
    void this.#informer.start().then(() => {
      if (this.#stopped || !this.#informer.hasSynced()) return;
      return this.#volumes.removeOrphans(new Set(this.#informer.list().map((p) => p.metadata?.uid ?? '')));
    });
  }

  /** Stops the watch and every pod actor; writes nothing (the node went silent). */
  stop(): void {
    this.#stopped = true;
    this.#informer.stop();
    this.#volumes.stop();
    this.#env.stop();
    this.#status.stop();
    for (const e of this.#byUid.values()) e.actor?.stop();
    this.#byUid.clear();
    this.#byKey.clear();
  }

  handle(env: Envelope): boolean {
    return this.#informer.handle(env) || this.#volumes.handle(env) || this.#env.handle(env);
  }

  /** Where pod `uid`'s volumes are on this node. */
  volumeDir(uid: string): string {
    return this.#volumes.podDir(uid);
  }

  /** The runtime a pod of this node runs on (null before its RuntimeClass was read). */
  runtimeOf(pod: Pod): Runtime | undefined {
    return this.#byUid.get(pod.metadata?.uid ?? '')?.runtime ?? undefined;
  }

  /** The running pod of that name (and uid, when given), for log requests. */
  find(namespace: string, name: string, uid?: string): Pod | undefined {
    const e = this.#byKey.get(`${namespace}/${name}`);
    return e && (!uid || e.uid === uid) ? e.pod : undefined;
  }

  get size(): number {
    return this.#byUid.size;
  }

  /** The pods whose containers run (or may): each with its runtime, for the resource metrics. */
  *started(): Generator<{ pod: Pod; runtime: Runtime }> {
    for (const e of this.#byUid.values()) if (e.runtime && !e.terminated) yield { pod: e.pod, runtime: e.runtime };
  }

  #sync(key: string): void {
    if (this.#stopped) return;
    const pod = this.#informer.get(key) as Pod | undefined;
    let e = this.#byKey.get(key);
    if (e && pod?.metadata?.uid !== e.uid) {
      this.#abandon(e);
      e = undefined;
    }
    if (!pod) return;
    if (!e) {
      if (isTerminal(pod) || pod.metadata?.deletionTimestamp) {
        // Nothing runs here for it: a deleted one can go at once.
        if (pod.metadata?.deletionTimestamp) void this.#finishDelete(pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', pod.metadata.uid ?? '');
        return;
      }
      this.#run(key, pod);
      return;
    }
    e.pod = pod;
    this.#status.reconcile(e.uid, pod.status);
    this.#volumes.update(pod);
    if (pod.metadata?.deletionTimestamp && !e.deleting) {
      e.deleting = true;
      e.actor?.delete(pod.metadata.deletionGracePeriodSeconds ?? undefined);
    }
  }

  #run(key: string, pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const e = new PodEntry(key, uid, pod);
    this.#byUid.set(uid, e);
    this.#byKey.set(key, e);
    const rc = runtimeClassOf(pod);
    if (rc === undefined) return this.#start(e, this.o.runtimes.defaultRuntime);
    void this.#api.get(targets.runtimeclasses(undefined, rc)).then((r) => {
      if (this.#stopped || e.removed || this.#byUid.get(uid) !== e) return;
      if (e.pod.metadata?.deletionTimestamp) {
        this.#release(e);
        return void this.#finishDelete(e.pod.metadata.namespace ?? 'default', e.pod.metadata.name ?? '', uid);
      }
      const handler = r.ok ? r.value.handler : null;
      const runtime = handler === null ? undefined : this.o.runtimes.get(handler);
      if (runtime) return this.#start(e, runtime);
      const why = !r.ok ? (isNotFound(r) ? `RuntimeClass "${rc}" not found` : r.status.message) : noHandler(handler ?? '');
      const m = pod.metadata ?? {};
      void this.o.events.record({ kind: 'Pod', apiVersion: 'v1', namespace: m.namespace ?? 'default', name: m.name ?? '', uid }, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${why}`);
      this.#release(e);
    });
  }

  #start(e: PodEntry, runtime: Runtime): void {
    const pod = e.pod;
    const uid = e.uid;
    e.runtime = runtime;
    if (pod.spec?.hostNetwork) e.ip = this.o.hostIP;
    else if (this.#ipam) {
      e.ip = this.#ipam.allocate();
      if (e.ip === null) this.o.log.warn('no pod IP left in the node\'s range', { pod: e.key, range: this.#ipam.cidr });
    }
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    this.#status.track(uid, ns, name, pod.status);
    const ref = { kind: 'Pod', apiVersion: 'v1', namespace: ns, name, uid };
    e.actor = (this.o.startPod ?? startPodActor)({
      pod,
      nodeName: this.o.nodeName,
      hostIP: this.o.hostIP,
      ...(e.ip ? { podIP: e.ip } : {}),
      clock: this.o.clock,
      runtime,
      ...(this.o.observe ? { observe: this.o.observe } : {}),
      ...(this.#needsHooks(pod, runtime) ? { hooks: this.#hooks(e, runtime) } : {}),
      output: new PodReports(this.#reports, e, ref),
    });
  }

  /** The pod left the apiserver or was replaced: stop it now, forget it once it is down. */
  #abandon(e: PodEntry): void {
    e.removed = true;
    if (this.#byKey.get(e.key) === e) this.#byKey.delete(e.key);
    this.#status.forget(e.uid);
    if (e.terminated || !e.actor) return this.#release(e);
    e.deleting = true;
    e.actor.delete(0);
  }

  /**
   * Whether the pod needs the kubelet's preparation: always for a runtime that mounts files;
   * for the sim only when it has volumes or env to check (the density path stays free).
   */
  #needsHooks(pod: Pod, runtime: Runtime): boolean {
    if (runtime.mountsVolumes) return true;
    if (VolumeManager.needed(pod) && !this.#volumes.setUpNow(pod)) return true;
    return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].some((c) => c.env?.length || c.envFrom?.length);
  }

  #hooks(e: PodEntry, runtime: Runtime): PodHooks {
    return {
      beforeSandbox: () => (VolumeManager.needed(e.pod) ? this.#volumes.setUp(e.pod, runtime.mountsVolumes) : Promise.resolve()),
      prepareContainer: (c) => this.#prepare(e, c),
    };
  }

  /** kubelet's generateContainerConfig: the environment, expanded command/args, and mounts. */
  async #prepare(e: PodEntry, c: Container): Promise<PreparedContainer> {
    const r = await this.#env.resolve(e.pod, c, e.ip ? [e.ip] : []);
    for (const ev of r.events) void this.o.events.record(podRef(e.pod), ev.type, ev.reason, ev.message);
    if (!r.ok) return { ok: false, message: r.message };
    const m = await this.#volumes.mounts(e.uid, c, r.value.env);
    if (!m.ok) return m;
    const { envFrom: _, ...rest } = c;
    const container: Container = { ...rest, env: r.value.env, ...(c.command ? { command: r.value.command } : {}), ...(c.args ? { args: r.value.args } : {}) };
    if (!e.runtime?.mountsVolumes) return { ok: true, container, mounts: m.mounts };
    const dns = await this.#dns.mounts(e.pod, e.ip ? [e.ip] : [], c, m.mounts);
    if (dns.warning) void this.o.events.record(podRef(e.pod), 'Warning', dns.warning.reason, dns.warning.message);
    return { ok: true, container, mounts: [...m.mounts, ...dns.mounts] };
  }

  #evict(uid: string, message: string): void {
    const e = this.#byUid.get(uid);
    if (!e || e.deleting || e.removed || !e.actor) return;
    e.evicted = true;
    e.actor.evict(message);
  }

  async #terminated(e: PodEntry): Promise<void> {
    e.terminated = true;
    if (e.evicted && !e.removed && !this.#stopped) await this.#status.flush(e.uid);
    else if (!e.removed && !this.#stopped) {
      await this.#status.flush(e.uid);
      const m = e.pod.metadata ?? {};
      await this.#finishDelete(m.namespace ?? 'default', m.name ?? '', e.uid);
    }
    this.#release(e);
  }

  async #finishDelete(namespace: string, name: string, uid: string): Promise<void> {
    const r = await this.#api.delete(targets.pods(namespace, name), { gracePeriodSeconds: 0, preconditions: { uid } });
    // 404: already gone; 409: a new pod has the name. Anything else: the next watch event retries.
    if (!r.ok && !isNotFound(r) && !isConflictOrExists(r)) {
      this.o.log.warn('final pod delete failed', { pod: `${namespace}/${name}`, code: r.status.code, error: r.status.message });
    }
  }

  #release(e: PodEntry): void {
    if (this.#byUid.get(e.uid) === e) this.#byUid.delete(e.uid);
    if (this.#byKey.get(e.key) === e) this.#byKey.delete(e.key);
    this.#status.forget(e.uid);
    if (e.ip && e.ip !== this.o.hostIP) this.#ipam?.release(e.ip);
    e.ip = null;
    void this.#volumes.release(e.uid);
    void this.#dns.release(e.uid);
  }
}

const podRef = (pod: Pod) => ({ kind: 'Pod', apiVersion: 'v1', namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' });
