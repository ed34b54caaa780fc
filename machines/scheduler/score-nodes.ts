/**
 * The score phase (RunPreScorePlugins, RunScorePlugins with normalization and weights):
 * every active score plugin scores every feasible node, normalizes to 0–100, and the
 * weighted sum is the node's total. Scores are kept in flat arrays; per-node records are
 * built only for the nodes a caller asks about.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { CycleState, ScorePlugin, Status } from './framework.ts';
import type { NodeInfo } from './node-info.ts';

/** One plugin's verdict on one node: raw, normalized, and times the plugin's weight. */
export interface PluginScore {
  plugin: string;
  raw: number;
  score: number;
  weight: number;
  weighted: number;
}

export interface NodeScore {
  node: string;
  total: number;
  plugins: PluginScore[];
}

/** All scores of one cycle: per active plugin, raw and normalized arrays indexed like `nodes`. */
export interface ScoreTable {
  nodes: readonly NodeInfo[];
  plugins: ReadonlyArray<{ name: string; weight: number; raw: number[]; score: number[] }>;
  totals: Float64Array;
}

/**
 * The score arrays of the last cycle, reused by the next: a cycle scores hundreds of nodes
 * with several plugins, and fresh arrays for each were most of what it allocated. So a
 * ScoreTable is valid only until the next scoreNodes — scheduleOne reads what it returns
 * from it before that (NodeScore records are copies).
 */
const scratch: number[][] = [];
let scratchTotals = new Float64Array(0);

function scratchArray(i: number, n: number): number[] {
  let a = scratch[i];
  if (!a) scratch[i] = a = [];
  a.length = n;
  return a;
}

/** Scores `feasible` (in order). A PreScore error aborts with that status. The table lives until the next call (see scratch). */
export function scoreNodes(state: CycleState, pod: Pod, scorers: readonly ScorePlugin[], feasible: readonly NodeInfo[]): ScoreTable | Status {
  const n = feasible.length;
  if (scratchTotals.length < n) scratchTotals = new Float64Array(Math.max(n, 2 * scratchTotals.length));
  const totals = scratchTotals.subarray(0, n).fill(0);
  const plugins: Array<{ name: string; weight: number; raw: number[]; score: number[] }> = [];
  for (const p of scorers) {
    if (p.preScore) {
      const r = p.preScore(state, pod, feasible);
      if (r === 'skip') continue;
      if (r) return r;
    }
    const raw = scratchArray(2 * plugins.length, n);
    if (p.scoreAll) p.scoreAll(state, pod, feasible, raw);
    else for (let i = 0; i < n; i++) raw[i] = p.score(state, pod, feasible[i] as NodeInfo);
    let score = raw;
    if (p.normalize) {
      score = scratchArray(2 * plugins.length + 1, n);
      for (let i = 0; i < n; i++) score[i] = raw[i] as number;
    }
    p.normalize?.(state, pod, feasible, score);
    for (let i = 0; i < feasible.length; i++) totals[i] = (totals[i] ?? 0) + (score[i] ?? 0) * p.weight;
    plugins.push({ name: p.name, weight: p.weight, raw, score });
  }
  return { nodes: feasible, plugins, totals };
}

/** The per-plugin breakdown of the i-th scored node. */
export function nodeScore(t: ScoreTable, i: number): NodeScore {
  return {
    node: (t.nodes[i] as NodeInfo).name,
    total: t.totals[i] ?? 0,
    plugins: t.plugins.map((p) => ({
      plugin: p.name,
      raw: p.raw[i] ?? 0,
      score: p.score[i] ?? 0,
      weight: p.weight,
      weighted: (p.score[i] ?? 0) * p.weight,
    })),
  };
}

/** Indexes of the `k` best totals, best first (ties in node order). */
export function topK(t: ScoreTable, k: number): number[] {
  const totals = t.totals;
  if (k >= totals.length) {
    const idx = Array.from(totals.keys());
    idx.sort((a, b) => (totals[b] ?? 0) - (totals[a] ?? 0) || a - b);
    return idx;
  }
  // A few of many (the three kube-scheduler logs): insert into a short sorted list, no sort of all.
  const out: number[] = [];
  for (let i = 0; i < totals.length; i++) {
    const v = totals[i] as number;
    if (out.length === k && v <= (totals[out[k - 1] as number] as number)) continue;
    let j = out.length;
    while (j > 0 && v > (totals[out[j - 1] as number] as number)) j--;
    out.splice(j, 0, i);
    if (out.length > k) out.pop();
  }
  return out;
}

/**
 * selectHost: the index of the highest total; among equals, the `tieBreak`-th (modulo
 * their number), where upstream draws at random. Ties count in feasible-node order.
 */
export function selectHost(totals: Float64Array, tieBreak: number): number {
  let best = -Infinity;
  let ties = 0;
  for (const v of totals) {
    if (v > best) {
      best = v;
      ties = 0;
    }
    if (v === best) ties++;
  }
  let want = Math.abs(Math.trunc(tieBreak)) % Math.max(ties, 1);
  for (let i = 0; i < totals.length; i++) {
    if (totals[i] === best && want-- === 0) return i;
  }
  return -1;
}
