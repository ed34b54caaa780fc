/**
 * The Node and Lease objects a kubelet writes, as pure functions of its facts and the time
 * (Kubernetes' kubelet_node_status.go and nodelease/controller.go). No clock is read here:
 * every time is passed in as epoch ms.
 */
import type { Node, NodeCondition, NodeStatus, NodeSystemInfo } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { deepEqual } from '../../api/json.ts';
import { microTime, rfc3339 } from '../../api/time.ts';

/** What a kubelet knows about its node: everything it reports that is not time. */
export interface NodeFacts {
  name: string;
  /** InternalIP (a loopback address in this simulator). */
  hostIP: string;
  hostname: string;
  /** Allocated pod range (`10.244.3.0/24`); absent until someone allocated one. */
  podCIDR?: string;
  /** cpu, memory, ephemeral-storage, pods (Kubernetes quantities). */
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  labels: Record<string, string>;
  nodeInfo: NodeSystemInfo;
  /** The kubelet's port in status.daemonEndpoints (10250). */
  kubeletPort: number;
  /** Conditions beyond the standard four, reported after them (as node-problem-detector adds its own). */
  extraConditions?: readonly NodeConditionSpec[];
}

export interface NodeConditionSpec {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** The pressure and readiness conditions, in the order the kubelet reports them. */
const CONDITIONS: readonly NodeConditionSpec[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/**
 * The conditions at `now`: heartbeat is now; the transition time is kept from `prev` when
 * the status did not change (a restarted kubelet adopting its Node keeps its history).
 */
export function nodeConditions(prev: readonly NodeCondition[] | undefined, now: number, extra: readonly NodeConditionSpec[] = []): NodeCondition[] {
  const at = rfc3339(now);
  return [...CONDITIONS, ...extra].map((c) => {
    const old = prev?.find((p) => p.type === c.type);
    const lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : at;
    return { ...c, lastHeartbeatTime: at, lastTransitionTime };
  });
}

/** The full status the kubelet reports (nodeStatus setters: addresses, capacity, info, conditions, endpoints). */
export function nodeStatus(f: NodeFacts, prev: readonly NodeCondition[] | undefined, now: number): NodeStatus {
  return {
    addresses: [
      { type: 'InternalIP', address: f.hostIP },
      { type: 'Hostname', address: f.hostname },
    ],
    capacity: { ...f.capacity },
    allocatable: { ...f.allocatable },
    conditions: nodeConditions(prev, now, f.extraConditions),
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort } },
    nodeInfo: { ...f.nodeInfo },
  };
}

/** The spec part the kubelet owns: the pod range when it knows one. */
export function nodeSpec(f: NodeFacts): NonNullable<Node['spec']> {
  return f.podCIDR ? { podCIDR: f.podCIDR, podCIDRs: [f.podCIDR] } : {};
}

/** The Node the kubelet registers (initialNode in kubelet_node_status.go). */
export function initialNode(f: NodeFacts, now: number): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: f.name, labels: { ...f.labels }, annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
    spec: nodeSpec(f),
    status: nodeStatus(f, undefined, now),
  };
}

/**
 * The stored status with the kubelet's setters applied (kubelet_node_status.go's updateNode on
 * the Node it read): its fields replace the stored ones, and its conditions replace theirs of
 * the same type in place, keeping their transition time when the status did not change; a
 * field or condition someone else reports stays as stored.
 */
export function updatedStatus(f: NodeFacts, stored: NodeStatus | undefined, now: number): NodeStatus {
  const own = nodeStatus(f, stored?.conditions, now);
  const mine = own.conditions ?? [];
  const kept = (stored?.conditions ?? []).map((c) => mine.find((m) => m.type === c.type) ?? c);
  const added = mine.filter((m) => !kept.some((c) => c.type === m.type));
  return { ...stored, ...own, conditions: [...kept, ...added] };
}

/**
 * True when a report is due for a reason other than the heartbeat: the status differs from
 * the one the Node holds in anything but the heartbeat times (kubelet's nodeStatusHasChanged).
 */
export function statusChanged(stored: NodeStatus | undefined, next: NodeStatus): boolean {
  if (!stored) return true;
  return !deepEqual(withoutHeartbeat(stored), withoutHeartbeat(next));
}

function withoutHeartbeat(s: NodeStatus): NodeStatus {
  return { ...s, conditions: (s.conditions ?? []).map(({ lastHeartbeatTime: _h, ...c }) => c) };
}

/** The node's Lease in kube-node-lease (nodelease.newLease): owned by the Node so it goes with it. */
export function nodeLease(node: string, nodeUid: string | undefined, durationSeconds: number, now: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: node,
      namespace: NODE_LEASE_NAMESPACE,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: node, leaseDurationSeconds: durationSeconds, renewTime: microTime(now) },
  };
}

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
