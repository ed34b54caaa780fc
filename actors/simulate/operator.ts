/**
 * The simulated operator: applies a scenario's manifests and runs its actions through the
 * typed client on its own bus address (`edge.simulate`, an admin like the HTTP front's
 * users), as `kubectl` would — scale and rollout as patches, delete with background
 * propagation, drain as cordon plus evictions retried while a PodDisruptionBudget says 429.
 * Actions run concurrently with the cluster (never awaited by the clock loop: a request may
 * wait on a fault that only time heals); what fails is counted, not fatal.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Port } from '../../bus/bus.ts';
import type { Clock } from '../../base/clock.ts';
import { atIdle } from './replayable.ts';
import type { Result } from '../../base/status.ts';
import type { ApiTarget, KubeObject } from '../../bus/catalogue/api.ts';
import { kindByGvk, parseApiVersion, resolveResource } from '../../api/kinds.ts';
import { ApiClient, isAlreadyExists, targets } from '../client/index.ts';
import type { KubeManifest, ObjectRef, Scenario, ScenarioAction } from '../../machines/simulate/scenario.ts';

/** How long a drain keeps retrying evictions refused by a budget, and how often. */
const DRAIN_RETRY_MS = 5_000;
const DRAIN_GIVE_UP_MS = 180_000;

export class Operator {
  readonly #api: ApiClient;
  /** Actions that ended in an error Status (a fault may cause them): what, and the message. */
  readonly failures: string[] = [];
  done = 0;

  constructor(
    port: Port,
    private readonly clock: Clock,
    private readonly scenario: Scenario,
  ) {
    // Operators wait longer than components: a partitioned or slow cluster still answers.
    this.#api = new ApiClient(atIdle(port), { timeoutMs: 30_000 });
  }

  /** Creates every manifest (an existing object is replaced). */
  async apply(manifests: readonly KubeManifest[]): Promise<void> {
    for (const m of manifests) await this.#applyOne(m);
  }

  /** Runs one action; resolves when it is over (a drain may take minutes of virtual time). */
  async run(a: ScenarioAction): Promise<void> {
    switch (a.verb) {
      case 'scale':
        return this.#check(`scale ${a.ref.kind}/${a.ref.name}`, await this.#api.patch(this.#target(a.ref), { spec: { replicas: a.replicas } }, 'merge'));
      case 'rollout':
        return this.#check(
          `rollout ${a.ref.kind}/${a.ref.name}`,
          await this.#api.patch(this.#target(a.ref), { spec: { template: { spec: { containers: [{ name: a.container, image: a.image }] } } } }, 'strategic'),
        );
      case 'delete':
        return this.#check(`delete ${a.ref.kind}/${a.ref.name}`, await this.#api.delete(this.#target(a.ref), { propagationPolicy: 'Background' }));
      case 'apply': {
        const ms = this.scenario.files[a.file];
        if (ms === undefined) return void this.failures.push(`apply ${a.file}: no such file in the scenario`);
        return this.apply(ms);
      }
      case 'cordon':
      case 'uncordon':
        return this.#check(`${a.verb} ${a.node}`, await this.#api.patch(targets.nodes(undefined, a.node), { spec: { unschedulable: a.verb === 'cordon' ? true : null } }, 'merge'));
      case 'drain':
        return this.#drain(a.node);
    }
  }

  async #applyOne(m: KubeManifest): Promise<void> {
    const kind = kindByGvk(m.apiVersion, m.kind);
    if (!kind) return void this.failures.push(`apply ${m.kind}/${m.metadata.name}: no kind ${m.apiVersion} ${m.kind}`);
    const { version } = parseApiVersion(m.apiVersion);
    const target: ApiTarget = { group: kind.group, version, resource: kind.resource, ...(kind.namespaced ? { namespace: m.metadata.namespace ?? 'default' } : {}) };
    const r = await this.#api.create(target, m as KubeObject);
    if (r.ok || !isAlreadyExists(r)) return this.#check(`create ${m.kind}/${m.metadata.name}`, r);
    const named = { ...target, name: m.metadata.name };
    const cur = await this.#api.get(named);
    if (!cur.ok) return this.#check(`get ${m.kind}/${m.metadata.name}`, cur);
    const next = { ...m, metadata: { ...m.metadata, resourceVersion: cur.value.metadata?.resourceVersion } } as KubeObject;
    this.#check(`replace ${m.kind}/${m.metadata.name}`, await this.#api.update(named, next));
  }

  /** kubectl drain: evict every pod on the node but DaemonSet pods, retrying those a budget protects. */
  async #drain(node: string): Promise<void> {
    const until = this.clock.now() + DRAIN_GIVE_UP_MS;
    for (;;) {
      const list = await this.#api.list(targets.pods());
      if (!list.ok) return this.#check(`drain ${node}: list pods`, list);
      const left = (list.value.items ?? []).filter((p: Pod) => p.spec?.nodeName === node && !p.metadata?.deletionTimestamp && p.metadata?.ownerReferences?.[0]?.kind !== 'DaemonSet');
      let blocked = 0;
      for (const p of left) {
        const body = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata?.name, namespace: p.metadata?.namespace } };
        const r = await this.#api.create(targets.pods(p.metadata?.namespace, p.metadata?.name, 'eviction'), body as KubeObject);
        if (!r.ok) blocked++;
      }
      if (blocked === 0) return void this.done++;
      if (this.clock.now() >= until) return void this.failures.push(`drain ${node}: ${blocked} pod(s) still not evicted`);
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, DRAIN_RETRY_MS));
    }
  }

  #target(ref: ObjectRef): ApiTarget {
    const kind = resolveResource(ref.kind);
    if (!kind) throw new Error(`no kind "${ref.kind}"`);
    return { group: kind.group, version: kind.version, resource: kind.resource, ...(kind.namespaced ? { namespace: ref.namespace } : {}), name: ref.name };
  }

  #check(what: string, r: Result<unknown>): void {
    if (r.ok) this.done++;
    else this.failures.push(`${what}: ${r.status.message}`);
  }
}

