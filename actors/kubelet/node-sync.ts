/**
 * The kubelet's writes about its node: registration (create, or adopt the Node that is
 * already there), the Lease in kube-node-lease, and the periodic status report. These are
 * the chart's `register`, `renewLease` and `syncNodeStatus` effects; each rejects with a
 * StatusError on an apiserver error so the chart backs off.
 */
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { KubeObject } from '../../bus/catalogue/api.ts';
import type { Port } from '../../bus/bus.ts';
import { APISERVER_ADDRESS } from '../../bus/permissions.ts';
import type { Clock } from '../../base/clock.ts';
import type { Logger } from '../actor-def.ts';
import type { EventRecorder } from '../events.ts';
import { initialNode, microTime, nodeLease, nodeStatus, statusChanged, type NodeFacts } from '../../machines/kubelet/node.ts';
import { must, targets } from './api.ts';

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
  #sent: NodeStatus | undefined;
  #reportedAt = 0;
  #podCIDR: string | undefined;
  #announced = false;

  constructor(private readonly o: NodeSyncOptions) {
    this.#podCIDR = o.facts.podCIDR;
  }

  get podCIDR(): string | undefined {
    return this.#podCIDR;
  }

  /** Creates the Node, or adopts an existing one: its labels are merged, an empty pod range filled, the status replaced. */
  async register(): Promise<void> {
    const { port, facts, clock } = this.o;
    const now = clock.now();
    const created = await port.request(APISERVER_ADDRESS, 'api.create', { target: targets.node(), object: initialNode(facts, now) as KubeObject });
    let node: Node;
    if (created.ok) {
      node = created.value.object as Node;
    } else if (created.status.code === 409) {
      node = await this.#adopt();
    } else {
      throw must(created);
    }
    this.#remember(node);
    this.#sent = node.status;
    this.#reportedAt = now;
    if (this.o.events && !this.#announced) {
      this.#announced = true;
      const ref = { kind: 'Node', apiVersion: 'v1', name: facts.name, uid: facts.name };
      void this.o.events.record(ref, 'Normal', 'Starting', 'Starting kubelet.');
      void this.o.events.record(ref, 'Normal', 'NodeReady', `Node ${facts.name} status is now: NodeReady`);
    }
  }

  async #adopt(): Promise<Node> {
    const { port, facts, clock } = this.o;
    const existing = must(await port.request(APISERVER_ADDRESS, 'api.get', { target: targets.node(facts.name) })) as Node;
    const patch: Record<string, unknown> = { metadata: { labels: facts.labels } };
    // spec.podCIDR may only be set once; an allocated range wins over ours.
    if (!existing.spec?.podCIDR && facts.podCIDR) patch.spec = { podCIDR: facts.podCIDR, podCIDRs: [facts.podCIDR] };
    must(await port.request(APISERVER_ADDRESS, 'api.patch', { target: targets.node(facts.name), patchType: 'merge', patch }));
    const status = nodeStatus(this.#facts(), existing.status?.conditions, clock.now());
    const w = must(await port.request(APISERVER_ADDRESS, 'api.patch', { target: targets.node(facts.name, 'status'), patchType: 'merge', patch: { status } }));
    return w.object as Node;
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
    const { port, facts, clock } = this.o;
    const name = facts.name;
    if (this.#lease === null) {
      const got = await port.request(APISERVER_ADDRESS, 'api.get', { target: targets.lease(name) });
      if (!got.ok && got.status.code !== 404) throw must(got);
      if (!got.ok) {
        const fresh = nodeLease(name, this.#uid, this.o.leaseDurationSeconds, clock.now());
        const c = await port.request(APISERVER_ADDRESS, 'api.create', { target: targets.lease(), object: fresh as KubeObject });
        this.#lease = c.ok ? (c.value.object as Lease) : null;
        must(c);
        return;
      }
      this.#lease = got.value as Lease;
    }
    const lease = this.#lease;
    const next: Lease = {
      ...lease,
      spec: { ...lease.spec, holderIdentity: name, leaseDurationSeconds: this.o.leaseDurationSeconds, renewTime: microTime(clock.now()) },
    };
    const w = await port.request(APISERVER_ADDRESS, 'api.update', { target: targets.lease(name), object: next as KubeObject });
    this.#lease = w.ok ? (w.value.object as Lease) : null;
    must(w);
  }

  /**
   * Computes the status; sends it when it changed (heartbeats aside) or when the report
   * frequency elapsed. Without a pod range it reads the Node first to pick up an allocator's.
   */
  async syncStatus(): Promise<void> {
    const { port, facts, clock } = this.o;
    if (!this.#podCIDR) {
      const got = must(await port.request(APISERVER_ADDRESS, 'api.get', { target: targets.node(facts.name) })) as Node;
      this.#remember(got);
    }
    const now = clock.now();
    const prev: NodeCondition[] | undefined = this.#sent?.conditions;
    const next = nodeStatus(this.#facts(), prev, now);
    if (!statusChanged(this.#sent, next) && now - this.#reportedAt < this.o.reportFrequencyMs) return;
    const w = must(await port.request(APISERVER_ADDRESS, 'api.patch', { target: targets.node(facts.name, 'status'), patchType: 'merge', patch: { status: next } }));
    this.#sent = (w.object as Node).status ?? next;
    this.#reportedAt = now;
  }
}
