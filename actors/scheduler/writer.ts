/**
 * The scheduler's writes to the apiserver: pods/binding, the PodScheduled=False condition
 * through pods/status, and the Scheduled / FailedScheduling events. The chart counts the
 * writes in flight (see SchedulerOptions.maxInFlight): each answer comes back as an event.
 */
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../bus/catalogue/api.ts';
import type { Port } from '../../bus/bus.ts';
import type { Result } from '../../base/status.ts';
import type { Logger } from '../actor-def.ts';
import type { Clock } from '../../base/clock.ts';
import { EventRecorder } from '../events.ts';
import { ApiClient, isNotFound, targets } from '../client/index.ts';
import { PREEMPTION_BY_SCHEDULER } from '../../machines/scheduler/plugins/default-preemption/index.ts';

const podTarget = (pod: Pod, subresource: string) => targets.pods(pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', subresource);

const sameAnnotations = (pod: Pod, a: Record<string, string>): boolean =>
  Object.entries(a).every(([k, v]) => pod.metadata?.annotations?.[k] === v);

const asObject = (pod: Pod): Pod => ({ apiVersion: 'v1', kind: 'Pod', ...pod });

import { rfc3339 } from '../../api/time.ts';

export class SchedulerWriter {
  readonly #events: EventRecorder;
  readonly #api: ApiClient;

  /** `port` for the API writes; `eventPort`, the event client's, for the events. */
  constructor(private readonly o: { port: Port; eventPort: Port; clock: Clock; log: Logger; component: string }) {
    this.#api = new ApiClient(o.port);
    this.#events = new EventRecorder({ port: o.eventPort, clock: o.clock, component: o.component });
  }

  /**
   * POST pods/binding. The Binding carries the pod's uid (a recreated pod of the same name
   * is not bound by mistake: 409) and the annotations to add to the pod.
   */
  bind(pod: Pod, node: string, annotations?: Record<string, string>): Promise<Result<unknown>> {
    const m = pod.metadata ?? {};
    const object: KubeObject = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: m.name, namespace: m.namespace, ...(m.uid ? { uid: m.uid } : {}), ...(annotations ? { annotations } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    };
    return this.#api.create(podTarget(pod, 'binding'), object);
  }

  /**
   * VolumeBinding's PreBind for local volumes: each WaitForFirstConsumer claim gets the chosen
   * node in volume.kubernetes.io/selected-node, which sets its provisioner going. The pod is
   * bound without waiting for the claims to be bound: its kubelet waits for them.
   */
  async selectNode(claims: readonly PersistentVolumeClaim[], node: string): Promise<Result<unknown>> {
    for (const pvc of claims) {
      const target = targets.persistentvolumeclaims(pvc.metadata?.namespace, pvc.metadata?.name);
      const r = await this.#api.patch(target, { metadata: { annotations: { 'volume.kubernetes.io/selected-node': node } } });
      if (!r.ok) return r;
    }
    return { ok: true, value: undefined };
  }

  /**
   * Sets PodScheduled=False (reason Unschedulable or SchedulerError, the FitError message)
   * via pods/status, unless the pod already says exactly that; with `nominatedNodeName`,
   * also status.nominatedNodeName ("" clears it). Annotations go in a
   * separate merge patch of the pod: this apiserver's /status keeps no metadata edits.
   */
  async markUnschedulable(pod: Pod, reason: string, message: string, annotations?: Record<string, string>, nominatedNodeName?: string): Promise<void> {
    const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const writes: Array<Promise<Result<unknown>>> = [];
    // updatePod: the nomination changes only when preemption set or cleared it.
    const nominate = nominatedNodeName !== undefined && (pod.status?.nominatedNodeName ?? '') !== nominatedNodeName;
    if (nominate || !(cur?.status === 'False' && cur.reason === reason && cur.message === message)) {
      const condition = { type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null, lastTransitionTime: rfc3339(this.o.clock.now()) };
      const patch = { status: { conditions: [condition], ...(nominate ? { nominatedNodeName: nominatedNodeName || null } : {}) } };
      writes.push(this.#api.patch(podTarget(pod, 'status'), patch, 'strategic'));
    }
    if (annotations && !sameAnnotations(pod, annotations)) {
      const patch = { metadata: { annotations } };
      writes.push(this.#api.patch(podTarget(pod, ''), patch));
    }
    for (const r of await Promise.all(writes)) {
      if (!r.ok && !isNotFound(r)) this.o.log.warn('scheduler: updating an unschedulable pod failed', { pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, status: r.status.message });
    }
  }

  /** `Successfully assigned default/web-1 to node-2`. */
  scheduled(pod: Pod, node: string): void {
    const m = pod.metadata ?? {};
    void this.#events.record(asObject(pod), 'Normal', 'Scheduled', `Successfully assigned ${m.namespace}/${m.name} to ${node}`);
  }

  /**
   * prepareCandidate for one victim: the DisruptionTarget condition (reason
   * PreemptionByScheduler), the pod's deletion (its own grace period), and the Preempted event.
   */
  async preempt(victim: Pod, preemptor: Pod, node: string, schedulerName: string): Promise<void> {
    const condition = {
      type: 'DisruptionTarget', status: 'True', reason: PREEMPTION_BY_SCHEDULER,
      message: `${schedulerName}: preempting to accommodate a higher priority pod`, lastProbeTime: null, lastTransitionTime: rfc3339(this.o.clock.now()),
    };
    const marked = await this.#api.patch(podTarget(victim, 'status'), { status: { conditions: [condition] } }, 'strategic');
    const deleted = marked.ok ? await this.#api.delete(podTarget(victim, '')) : marked;
    if (!deleted.ok) {
      if (!isNotFound(deleted)) this.o.log.warn('scheduler: preempting a pod failed', { pod: `${victim.metadata?.namespace}/${victim.metadata?.name}`, status: deleted.status.message });
      return;
    }
    void this.#events.record(asObject(victim), 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata?.uid ?? ''} on node ${node}`);
  }

  failed(pod: Pod, message: string): void {
    void this.#events.record(asObject(pod), 'Warning', 'FailedScheduling', message);
  }
}
