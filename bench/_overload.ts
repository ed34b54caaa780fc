/**
 * What density prints about overload (issue 21): whether the nodes' Leases kept being renewed
 * in time while everything else queued, whether any acknowledged write went missing, and how
 * long requests waited in API Priority and Fairness's queues per priority level.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { targets, type Target } from '../actors/client/index.ts';
import { WAIT_BUCKETS, type FlowControl } from '../actors/apiserver/flowcontrol/controller.ts';
import type { BenchClient } from './_cluster.ts';

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

export interface LeaseFigures {
  /** The longest time, seen by a watch, between two renewals of one node's Lease (or from the last renewal to the end). */
  lease_renew_gap_max_s: number;
  /** Renewals (or ends of the run) that came later than the Lease's leaseDurationSeconds after the previous one: the node-lifecycle controller would have marked the node NotReady. */
  leases_expired: number;
  lease_renewals: number;
}

/**
 * Watches kube-node-lease and times each node's renewals as they reach a watcher, which is
 * what the node-lifecycle controller goes by: a gap longer than the Lease's duration (40 s
 * by default) is a node it would have marked NotReady.
 */
export async function watchLeases(client: BenchClient): Promise<{ stop(): LeaseFigures }> {
  const last = new Map<string, { at: number; durationS: number }>();
  let gapMax = 0;
  let expired = 0;
  let renewals = 0;
  const gap = (prev: { at: number; durationS: number }, now: number): void => {
    const s = (now - prev.at) / 1000;
    gapMax = Math.max(gapMax, s);
    if (s > prev.durationS) expired++;
  };
  // Every node's Lease counts from now, so one that is never renewed again shows at the end.
  const listed = await client.api.list(targets.leases('kube-node-lease'));
  if (!listed.ok) throw new Error(`list leases: ${listed.status.message}`);
  const t0 = performance.now();
  for (const l of listed.value.items) last.set(l.metadata?.name ?? '', { at: t0, durationS: l.spec?.leaseDurationSeconds ?? 40 });
  const id = await client.watch(targets.leases('kube-node-lease'), (events) => {
    const now = performance.now();
    for (const ev of events) {
      const name = ev.object.metadata?.name;
      if (!name || (ev.type !== 'ADDED' && ev.type !== 'MODIFIED')) continue;
      const prev = last.get(name);
      if (prev) gap(prev, now);
      renewals++;
      last.set(name, { at: now, durationS: (ev.object as Lease).spec?.leaseDurationSeconds ?? 40 });
    }
  });
  return {
    stop() {
      client.unwatch(id);
      const now = performance.now();
      for (const prev of last.values()) gap(prev, now);
      return { lease_renew_gap_max_s: round(gapMax), leases_expired: expired, lease_renewals: renewals };
    },
  };
}

/** How many of `names` (objects whose create was acknowledged) the collection no longer holds. */
export async function lostWrites(client: BenchClient, collection: Target<unknown>, names: readonly string[]): Promise<number> {
  const r = await client.api.list(collection);
  if (!r.ok) throw new Error(`list ${collection.resource}: ${r.status.message}`);
  const stored = new Set(r.value.items.map((o) => (o as { metadata?: { name?: string } }).metadata?.name));
  return names.filter((n) => !stored.has(n)).length;
}

/**
 * Per priority level: requests dispatched, rejected with 429, the queue wait's p99 and the
 * execution's (dispatch to the seat's release) p50 and p99 (ms, from the histograms as
 * Prometheus' histogram_quantile reads them).
 */
export function flowFigures(flow: FlowControl): Record<string, { dispatched: number; rejected: number; queue_wait_p99_ms: number; execution_p50_ms: number; execution_p99_ms: number }> {
  const empty = (): number[] => new Array<number>(WAIT_BUCKETS.length + 1).fill(0);
  const levels = new Map<string, { dispatched: number; rejected: number; buckets: number[]; exec: number[] }>();
  for (const s of flow.stats()) {
    const l = levels.get(s.priorityLevel) ?? { dispatched: 0, rejected: 0, buckets: empty(), exec: empty() };
    l.dispatched += s.dispatched;
    l.rejected += s.rejected['queue-full'] + s.rejected['time-out'] + s.rejected['concurrency-limit'];
    s.waitBuckets.forEach((n, i) => (l.buckets[i]! += n));
    s.execBuckets.forEach((n, i) => (l.exec[i]! += n));
    levels.set(s.priorityLevel, l);
  }
  return Object.fromEntries(
    [...levels].map(([name, l]) => [
      name,
      { dispatched: l.dispatched, rejected: l.rejected, queue_wait_p99_ms: round(quantile(l.buckets, 0.99) * 1000), execution_p50_ms: round(quantile(l.exec, 0.5) * 1000), execution_p99_ms: round(quantile(l.exec, 0.99) * 1000) },
    ]),
  );
}

/** histogram_quantile over non-cumulative buckets whose upper bounds are WAIT_BUCKETS (the last one open). */
function quantile(buckets: readonly number[], q: number): number {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i]!;
    if (seen + n >= rank && n > 0) {
      // The open last bucket answers its lower bound, as Prometheus does.
      if (i >= WAIT_BUCKETS.length) return WAIT_BUCKETS[WAIT_BUCKETS.length - 1]!;
      const lo = i === 0 ? 0 : WAIT_BUCKETS[i - 1]!;
      return lo + (WAIT_BUCKETS[i]! - lo) * ((rank - seen) / n);
    }
    seen += n;
  }
  return WAIT_BUCKETS[WAIT_BUCKETS.length - 1]!;
}
