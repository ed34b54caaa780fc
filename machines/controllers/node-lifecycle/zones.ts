/**
 * Zone health and the eviction rate limit (node_lifecycle_controller.go ComputeZoneState,
 * ReducedQPSFunc, flowcontrol.NewTokenBucketRateLimiter with burst 1). A zone is its
 * topology.kubernetes.io/zone (and region) label; nodes without one share the zone "".
 * Pure: the bucket is a value advanced with explicit times.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { readyState } from './health.ts';

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

export function zoneOf(node: Node): string {
  const l = node.metadata?.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\u0000:${zone}` : '';
}

/** ComputeZoneState: full disruption when every node is not Ready, partial past the threshold (and more than 2). */
export function zoneState(nodes: readonly Node[], unhealthyThreshold: number): ZoneState {
  let notReady = 0;
  for (const n of nodes) if (readyState(n.status?.conditions) !== 'True') notReady++;
  if (notReady > 0 && notReady === nodes.length) return 'FullDisruption';
  if (notReady > 2 && notReady / nodes.length >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}

export interface RateConfig {
  evictionRate: number;
  secondaryEvictionRate: number;
  largeClusterSizeThreshold: number;
}

/**
 * The zone's NoExecute tainting rate (nodes per second). When every zone is fully disrupted
 * the controller suspects its own connectivity and evicts nothing; a partially disrupted
 * zone is slowed (stopped in small clusters); a fully disrupted zone among healthy ones
 * keeps the normal rate (HealthyQPSFunc).
 */
export function zoneRate(state: ZoneState, zoneSize: number, allFullyDisrupted: boolean, c: RateConfig): number {
  if (allFullyDisrupted) return 0;
  if (state === 'PartialDisruption') return zoneSize <= c.largeClusterSizeThreshold ? 0 : c.secondaryEvictionRate;
  return c.evictionRate;
}

/** A token bucket of one token (burst 1) filling at `rate` per second. */
export interface Bucket {
  tokens: number;
  at: number;
}

/** Takes a token at `now`: the new bucket and 0, or the unchanged bucket and the wait in ms (Infinity at rate 0). */
export function take(b: Bucket | undefined, rate: number, now: number): { bucket: Bucket; waitMs: number } {
  const cur = b ? Math.min(1, b.tokens + (rate * (now - b.at)) / 1000) : 1;
  if (cur >= 1 - 1e-9) return { bucket: { tokens: cur - 1, at: now }, waitMs: 0 };
  if (rate <= 0) return { bucket: { tokens: cur, at: now }, waitMs: Infinity };
  return { bucket: { tokens: cur, at: now }, waitMs: Math.ceil(((1 - cur) * 1000) / rate) };
}
