/**
 * The node lifecycle controller (pkg/controller/nodelifecycle, with the taint eviction
 * controller of pkg/controller/tainteviction). Keys are node names ("node-1") and pod keys
 * ("ns/name"; nodes are cluster-scoped, so a "/" tells them apart).
 *
 * A node is heard from when its Lease (kube-node-lease) is renewed or its Ready heartbeat
 * moves. Silent for --node-monitor-grace-period, its conditions become Unknown
 * (NodeStatusUnknown, "Kubelet stopped posting node status."), its pods are marked not
 * ready, and it is tainted node.kubernetes.io/unreachable (not-ready for Ready=False):
 * NoSchedule at once, NoExecute through a per-zone token bucket (--node-eviction-rate).
 * A pod on a NoExecute-tainted node is deleted once its toleration runs out. Instead of
 * polling every --node-monitor-period, each node's deadline is a timer, so the transition
 * happens exactly at probe + grace.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NODE_NAME_INDEX } from '../../informers/indexer.ts';
import { gracePeriodMs, observe, readyState, unknownConditions, type NodeProbe } from '../../../machines/controllers/node-lifecycle/health.ts';
import { evictionTime } from '../../../machines/controllers/node-lifecycle/taints.ts';
import { keyOf } from '../../informer.ts';
import { isNotFound, resourceTargets, targets, unwrap } from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition, SyncResult } from '../framework.ts';
import { nodeLifecycleOptions } from './options.ts';
import { evictPod, markPodsNotReady } from './pods.ts';
import { Tainter } from './tainter.ts';

const LEASE_NAMESPACE = 'kube-node-lease';
const leaseTargets = targets.leases;

export function createNodeLifecycleController(cc: ControllerContext): Controller {
  const opts = nodeLifecycleOptions(cc.options);
  const now = () => cc.actor.clock.now();
  const probes = new Map<string, NodeProbe>();
  /** The one pending deadline check per node (deadlines only move later). */
  const checks = new Map<string, number>();

  const nodes = cc.informer({
    target: targets.nodes(),
    handlers: {
      add: (n) => cc.enqueue(keyOf(n)),
      update: (_, n) => cc.enqueue(keyOf(n)),
      delete: (n) => {
        probes.delete(keyOf(n));
        checks.delete(keyOf(n));
      },
    },
  });
  const onLease = (l: Lease) => cc.enqueue(l.metadata?.name ?? '');
  const leases = cc.informer({ target: leaseTargets(LEASE_NAMESPACE), handlers: { add: onLease, update: (_, l) => onLease(l) } });
  const onPod = (p: Pod) => {
    const node = nodes.get(p.spec?.nodeName ?? '');
    if (node?.spec?.taints?.some((t) => t.effect === 'NoExecute')) cc.enqueue(keyOf(p));
  };
  const pods = cc.informer({ target: targets.pods(), handlers: { add: onPod, update: (_, p) => onPod(p) } });
  const podsOn = (name: string) => pods.byIndex(NODE_NAME_INDEX, name);
  const tainter = new Tainter(cc, opts, () => nodes.list());

  const schedule = (name: string, at: number): void => {
    const pending = checks.get(name);
    if (pending !== undefined && pending > now() && pending <= at) return;
    checks.set(name, at);
    cc.enqueueAfter(name, at - now());
  };

  async function syncNode(name: string): Promise<SyncResult | void> {
    let node = nodes.get(name);
    if (!node) return;
    const lease = leases.get(`${LEASE_NAMESPACE}/${name}`);
    const heartbeat = node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
    const probe = observe(probes.get(name), lease?.spec?.renewTime ?? undefined, heartbeat, now());
    probes.set(name, probe);
    const deadline = probe.probeAt + gracePeriodMs(node.status?.conditions, opts.nodeMonitorGracePeriodMs, opts.nodeStartupGracePeriodMs);
    if (now() >= deadline) {
      const wasReady = readyState(node.status?.conditions) === 'True';
      const conditions = unknownConditions(node.status?.conditions, now());
      if (conditions) {
        const r = await cc.api.updateStatus(targets.nodes(undefined, name), { ...node, status: { ...node.status, conditions } });
        if (!r.ok && isNotFound(r.status)) return;
        node = unwrap(r).object;
        cc.actor.log.info('node stopped posting status', { node: name });
      }
      if (wasReady) {
        void cc.events.record(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        await markPodsNotReady(cc, podsOn(name));
      }
    } else {
      schedule(name, deadline);
      if (readyState(node.status?.conditions) === 'False') await markPodsNotReady(cc, podsOn(name));
    }
    const tainted = await tainter.sync(node);
    if (tainted.node?.spec?.taints?.some((t) => t.effect === 'NoExecute')) for (const p of podsOn(name)) cc.enqueue(keyOf(p));
    return tainted.retryAfterMs !== undefined ? { requeueAfter: tainted.retryAfterMs } : undefined;
  }

  async function syncPod(key: string): Promise<SyncResult | void> {
    const pod = pods.get(key);
    if (!pod || pod.metadata?.deletionTimestamp) return;
    const node = nodes.get(pod.spec?.nodeName ?? '');
    if (!node) return;
    const at = evictionTime(pod, node.spec?.taints, now());
    if (at === undefined) return;
    if (at > now()) return { requeueAfter: at - now() };
    await evictPod(cc, pod);
  }

  return {
    sync: (key) => (key.includes('/') ? syncPod(key) : syncNode(key)),
  };
}

export const nodeLifecycleController: ControllerDefinition = {
  name: 'nodelifecycle',
  aliases: ['node-lifecycle-controller'],
  component: 'node-controller',
  enabledByDefault: true,
  create: createNodeLifecycleController,
};
