/**
 * The kubelet's writes about its node: registration (create, or adopt the Node that is
 * already there), the Lease in kube-node-lease, and the periodic status report. These are
 * the chart's `register`, `renewLease` and `syncNodeStatus` effects; each rejects with a
 * ApiError on an apiserver error so the chart backs off.
 */
import type { Node, NodeStatus } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Port } from '../../bus/bus.ts';
import type { Clock } from '../../base/clock.ts';
import type { Logger } from '../actor-def.ts';
import type { EventRecorder } from '../events.ts';
import { microTime } from '../../api/time.ts';
import { initialNode, NODE_LEASE_NAMESPACE, nodeLease, nodeStatus, statusChanged, updatedStatus, type NodeFacts } from '../../machines/kubelet/node.ts';
import { ApiClient, isConflictOrExists, isNotFound, targets, unwrap } from '../client/index.ts';
import type { Envelope } from '../../base/envelope.ts';
import { Informer } from '../informer.ts';

export interface NodeSyncOptions {
  port: Port;
  clock: Clock;
  log: Logger;
  facts: NodeFacts;
  leaseDurationSeconds: number;
  reportFrequencyMs: number;
  events: EventRecorder | null;
  /** Called when the node's pod range becomes known (at registration, or later from an allocator). */
  onPodCIDR(cidr: string): void;
}

export class NodeSync {
  #uid: string | undefined;
  #lease: Lease | null = null;
  #reportedAt = 0;
  #podCIDR: string | undefined;
  /**
   * What the last sync found needing no report: the stored status (the informer's object,
   * shared and never changed), the facts and the pod range. The same three need none again
   * until the report is due — the answer does not depend on the time — so it is not worked out
   * again (5,000 kubelets made a status, its conditions and two heartbeat-free copies every 10 s).
   */
  #quiet: { status: NodeStatus; facts: NodeFacts; podCIDR: string | undefined } | null = null;
  #announced = false;
  readonly #api: ApiClient;
  /**
   * The kubelet's own Node, as upstream's node informer (field selector metadata.name): the
   * status sync reads it here instead of asking the apiserver every 10 s, as kubelets do since
   * Kubernetes 1.30 (kubernetes/kubernetes#123977 — that GET was #nodes/10 requests a second).
   */
  readonly #node: Informer<Node>;

  constructor(private readonly o: NodeSyncOptions) {
    this.#podCIDR = o.facts.podCIDR;
    this.#api = new ApiClient(o.port);
    this.#node = new Informer<Node>({
      port: o.port,
      clock: o.clock,
      target: targets.nodes(),
      fieldSelector: `metadata.name=${o.facts.name}`,
      handlers: {},
      name: 'node',
    });
  }

  /** Starts following the Node (once registered). */
  start(): void {
    void this.#node.start();
  }

  stop(): void {
    this.#node.stop();
  }

  /** Feeds a watch batch or end of the Node's watch (false: not this informer's). */
  handle(env: Envelope): boolean {
    return this.#node.handle(env);
  }

  get podCIDR(): string | undefined {
    return this.#podCIDR;
  }

  /** Creates the Node, or adopts an existing one: its labels are merged, an empty pod range filled, the status replaced. */
  async register(): Promise<void> {
    const { facts, clock } = this.o;
    const now = clock.now();
    const created = await this.#api.create(targets.nodes(), initialNode(facts, now));
    let node: Node;
    if (created.ok) {
      node = created.value.object;
    } else if (isConflictOrExists(created)) {
      node = await this.#adopt();
    } else {
      throw unwrap(created);
    }
    this.#remember(node);
    this.#reportedAt = now;
    if (this.o.events && !this.#announced) {
      this.#announced = true;
      const ref = { kind: 'Node', apiVersion: 'v1', name: facts.name, uid: facts.name };
      void this.o.events.record(ref, 'Normal', 'Starting', 'Starting kubelet.');
      void this.o.events.record(ref, 'Normal', 'NodeReady', `Node ${facts.name} status is now: NodeReady`);
    }
  }

  async #adopt(): Promise<Node> {
    const { facts, clock } = this.o;
    const existing = unwrap(await this.#api.get(targets.nodes(undefined, facts.name)));
    const patch: Record<string, unknown> = { metadata: { labels: facts.labels } };
    // spec.podCIDR may only be set once; an allocated range wins over ours.
    if (!existing.spec?.podCIDR && facts.podCIDR) patch.spec = { podCIDR: facts.podCIDR, podCIDRs: [facts.podCIDR] };
    unwrap(await this.#api.patch(targets.nodes(undefined, facts.name), patch));
    const status = nodeStatus(this.#facts(), existing.status?.conditions, clock.now());
    const w = unwrap(await this.#api.patch(targets.nodes(undefined, facts.name, 'status'), { status }));
    return w.object;
  }

  #remember(node: Node): void {
    this.#uid = node.metadata?.uid;
    const cidr = node.spec?.podCIDR;
    if (cidr && cidr !== this.#podCIDR) {
      if (this.#podCIDR) this.o.log.warn('the Node has another pod range than configured; using the Node\'s', { configured: this.#podCIDR, node: cidr });
      this.#podCIDR = cidr;
    }
    if (this.#podCIDR) this.o.onPodCIDR(this.#podCIDR);
  }

  #facts(): NodeFacts {
    return this.#podCIDR ? { ...this.o.facts, podCIDR: this.#podCIDR } : this.o.facts;
  }

  /** Renews the Lease from the copy the last write returned; creates it when missing. A conflict drops the copy (re-read next time). */
  async renewLease(): Promise<void> {
    const { facts, clock } = this.o;
    const name = facts.name;
    if (this.#lease === null) {
      const got = await this.#api.get(targets.leases(NODE_LEASE_NAMESPACE, name));
      if (!got.ok && !isNotFound(got)) throw unwrap(got);
      if (!got.ok) {
        const fresh = nodeLease(name, this.#uid, this.o.leaseDurationSeconds, clock.now());
        const c = await this.#api.create(targets.leases(NODE_LEASE_NAMESPACE), fresh);
        this.#lease = c.ok ? c.value.object : null;
        unwrap(c);
        return;
      }
      this.#lease = got.value;
    }
    const lease = this.#lease;
    const next: Lease = {
      ...lease,
      spec: { ...lease.spec, holderIdentity: name, leaseDurationSeconds: this.o.leaseDurationSeconds, renewTime: microTime(clock.now()) },
    };
    const w = await this.#api.update(targets.leases(NODE_LEASE_NAMESPACE, name), next);
    this.#lease = w.ok ? w.value.object : null;
    unwrap(w);
  }

  /**
   * tryUpdateNodeStatus: reads the Node from the informer (from the apiserver's cache,
   * resourceVersion "0", until the informer has it), applies the kubelet's status to it, and
   * patches when that differs from what the Node holds (heartbeats aside) or the report
   * frequency elapsed. So a Ready condition someone else changed (the node lifecycle
   * controller's Unknown after a partition) is set right at the next sync, not at the next
   * report. The read also picks up a pod range an allocator set.
   */
  async syncStatus(): Promise<void> {
    const { facts, clock } = this.o;
    const node = this.#node.get(facts.name) ?? unwrap(await this.#api.get(targets.nodes(undefined, facts.name), '0'));
    this.#remember(node);
    const now = clock.now();
    const due = now - this.#reportedAt >= this.o.reportFrequencyMs;
    const quiet = this.#quiet;
    if (!due && quiet && quiet.status === node.status && quiet.facts === facts && quiet.podCIDR === this.#podCIDR) return;
    const next = updatedStatus(this.#facts(), node.status, now);
    if (!due && !statusChanged(node.status, next)) {
      if (node.status) this.#quiet = { status: node.status, facts, podCIDR: this.#podCIDR };
      return;
    }
    this.#quiet = null;
    unwrap(await this.#api.patch(targets.nodes(undefined, facts.name, 'status'), { status: next }));
    this.#reportedAt = now;
  }
}
