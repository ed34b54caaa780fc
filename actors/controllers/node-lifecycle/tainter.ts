/**
 * The node lifecycle controller's tainting pass (doNoScheduleTaintingPass and the
 * zoneNoExecuteTainter): NoSchedule taints follow the Ready state at once; a new NoExecute
 * taint — the one that starts evictions — waits for its zone's token bucket, whose rate
 * depends on the zone's health. Swapping unreachable for not-ready (or back) is not rate
 * limited, nor is removing the taints from a node that is Ready again.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { readyState } from '../../../machines/controllers/node-lifecycle/health.ts';
import { needsNoExecute, nextTaints, TAINT_NOT_READY, TAINT_UNREACHABLE } from '../../../machines/controllers/node-lifecycle/taints.ts';
import { take, zoneOf, zoneRate, zoneState, type Bucket } from '../../../machines/controllers/node-lifecycle/zones.ts';
import { isNotFound, targets, unwrap } from '../../client/index.ts';
import type { ControllerContext } from '../framework.ts';
import type { NodeLifecycleOptions } from './options.ts';

/** How soon to look again at a node whose zone evicts nothing (--node-monitor-period). */
const NODE_MONITOR_PERIOD_MS = 5000;

export interface TaintResult {
  /** The node as written (or as cached when unchanged); undefined when it is gone. */
  node?: Node;
  /** Set when the NoExecute taint waits for the rate limiter. */
  retryAfterMs?: number;
}

export class Tainter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly cc: ControllerContext,
    private readonly opts: NodeLifecycleOptions,
    private readonly allNodes: () => Node[],
  ) {}

  async sync(node: Node): Promise<TaintResult> {
    const now = this.cc.actor.clock.now();
    const ready = readyState(node.status?.conditions);
    const taints = node.spec?.taints;
    let allow = false;
    let retryAfterMs: number | undefined;
    let bucket: { zone: string; b: Bucket } | undefined;
    if (needsNoExecute(taints, ready)) {
      const swapping = (taints ?? []).some((t) => t.effect === 'NoExecute' && (t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY));
      if (swapping) allow = true;
      else {
        const zone = zoneOf(node);
        const rate = this.#rate(node, zone);
        const got = take(this.#buckets.get(zone), rate, now);
        if (got.waitMs === 0) {
          allow = true;
          bucket = { zone, b: got.bucket };
        } else retryAfterMs = Number.isFinite(got.waitMs) ? got.waitMs : NODE_MONITOR_PERIOD_MS;
      }
    }
    const next = nextTaints(taints, ready, allow, now);
    if (!next) return { node, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    const name = node.metadata?.name ?? '';
    const r = await this.cc.api.update(targets.nodes(undefined, name), { ...node, spec: { ...node.spec, taints: next } });
    if (!r.ok && isNotFound(r.status)) return {};
    const written = unwrap(r).object;
    // The token is spent only by a taint that was written.
    if (bucket) this.#buckets.set(bucket.zone, bucket.b);
    return { node: written, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }

  /** The zone's current NoExecute rate, judged with `node` as it is now. */
  #rate(node: Node, zone: string): number {
    const byZone = new Map<string, Node[]>();
    for (const n of this.allNodes()) {
      const cur = n.metadata?.name === node.metadata?.name ? node : n;
      const z = zoneOf(cur);
      byZone.set(z, [...(byZone.get(z) ?? []), cur]);
    }
    const states = new Map([...byZone].map(([z, ns]) => [z, zoneState(ns, this.opts.unhealthyZoneThreshold)]));
    const allFull = [...states.values()].every((s) => s === 'FullDisruption');
    return zoneRate(states.get(zone) ?? 'Normal', byZone.get(zone)?.length ?? 1, allFull, this.opts);
  }
}
