/**
 * Node health as the node lifecycle controller judges it (node_lifecycle_controller.go
 * tryUpdateNodeHealth): a node is heard from when its Lease's renewTime or its Ready
 * condition's heartbeat changes — timed by the controller's own clock (probeTimestamp),
 * never by the kubelet's. Silent past the grace period, its conditions become Unknown.
 * Pure functions; the controller keeps one {@link NodeProbe} per node.
 */
import type { NodeCondition } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../../api/time.ts';

export interface NodeProbe {
  /** Last Lease renewTime and Ready heartbeat seen. */
  renewTime?: string;
  heartbeat?: string;
  /** Controller-clock ms when either last changed (or the node was first seen). */
  probeAt: number;
}

/** The probe after observing `renewTime`/`heartbeat` at `now`. */
export function observe(prev: NodeProbe | undefined, renewTime: string | undefined, heartbeat: string | undefined, now: number): NodeProbe {
  if (!prev) return { ...(renewTime ? { renewTime } : {}), ...(heartbeat ? { heartbeat } : {}), probeAt: now };
  const heard = (renewTime !== undefined && renewTime !== prev.renewTime) || (heartbeat !== undefined && heartbeat !== prev.heartbeat);
  return { ...(renewTime ? { renewTime } : {}), ...(heartbeat ? { heartbeat } : {}), probeAt: heard ? now : prev.probeAt };
}

/** The conditions the kubelet reports; the controller sets each to Unknown on silence. */
export const NODE_CONDITION_TYPES = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export const NODE_STATUS_UNKNOWN = { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } as const;
export const NODE_STATUS_NEVER_UPDATED = { reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' } as const;

/**
 * The conditions of a node silent at `now`: every kubelet condition Unknown (reason
 * NodeStatusUnknown, heartbeat kept), a missing one added as NodeStatusNeverUpdated.
 * Undefined when they already say so (nothing to write).
 */
export function unknownConditions(conds: readonly NodeCondition[] | undefined, now: number): NodeCondition[] | undefined {
  const at = rfc3339(now);
  const out = [...(conds ?? [])];
  let changed = false;
  for (const type of NODE_CONDITION_TYPES) {
    const i = out.findIndex((c) => c.type === type);
    const cur = i >= 0 ? out[i] : undefined;
    if (cur?.status === 'Unknown') continue;
    changed = true;
    const why = cur ? NODE_STATUS_UNKNOWN : NODE_STATUS_NEVER_UPDATED;
    const next: NodeCondition = {
      type,
      status: 'Unknown',
      reason: why.reason,
      message: why.message,
      lastHeartbeatTime: cur?.lastHeartbeatTime ?? at,
      lastTransitionTime: at,
    };
    if (i >= 0) out[i] = next;
    else out.push(next);
  }
  return changed ? out : undefined;
}

export type ReadyState = 'True' | 'False' | 'Unknown';

export function readyState(conds: readonly NodeCondition[] | undefined): ReadyState | undefined {
  const s = conds?.find((c) => c.type === 'Ready')?.status;
  return s === 'True' || s === 'False' || s === 'Unknown' ? s : undefined;
}

/**
 * The grace period that applies: nodeStartupGracePeriod while the kubelet never reported
 * Ready, nodeMonitorGracePeriod after.
 */
export function gracePeriodMs(conds: readonly NodeCondition[] | undefined, monitorMs: number, startupMs: number): number {
  return readyState(conds) === undefined ? startupMs : monitorMs;
}
