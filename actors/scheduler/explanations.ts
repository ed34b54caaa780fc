/**
 * The last N scheduling decisions, by pod, in the shape `scheduler.explain` answers: per
 * node examined, the filter verdict, and for feasible nodes every plugin's score and the
 * weighted total.
 */
import type { Explanation, NodeVerdict } from '../../bus/catalogue/scheduler.ts';
import type { ScheduleResult } from '../../machines/scheduler/schedule-one.ts';
import type { NodeScore } from '../../machines/scheduler/score-nodes.ts';

export interface Attempt {
  namespace: string;
  name: string;
  uid: string | undefined;
  at: number;
  attempt: number;
  numAllNodes: number;
}

/**
 * Lays out a result. Computed with `explain: true` it covers every examined node;
 * without, only what the cycle kept: each rejected node's status when nothing fit (the
 * FitError's), or the best three nodes' scores.
 */
export function toExplanation(a: Attempt, r: ScheduleResult): Explanation {
  const scores = new Map(r.type === 'scheduled' ? r.scores.map((s) => [s.node, s] as const) : []);
  const complete = r.filtered !== undefined;
  const nodes: NodeVerdict[] = complete ? verdicts(r, scores) : partial(r);
  return {
    namespace: a.namespace,
    name: a.name,
    ...(a.uid ? { uid: a.uid } : {}),
    at: a.at,
    attempt: a.attempt,
    result: r.type,
    ...(r.type === 'scheduled' ? { node: r.node } : { message: r.type === 'unschedulable' ? r.error.message : r.message }),
    numAllNodes: a.numAllNodes,
    evaluatedNodes: r.evaluatedNodes,
    complete,
    nodes,
  };
}

function partial(r: ScheduleResult): NodeVerdict[] {
  if (r.type === 'unschedulable') {
    return [...r.error.nodeToStatus].map(([node, s]) => ({ node, passed: [], rejectedBy: s.plugin, reasons: s.reasons }));
  }
  if (r.type === 'scheduled') return r.scores.map((s) => ({ node: s.node, passed: [], total: s.total, scores: s.plugins }));
  return [];
}

function verdicts(r: ScheduleResult, scores: Map<string, NodeScore>): NodeVerdict[] {
  return (r.filtered ?? []).map((v) => {
    if (v.status) return { node: v.node, passed: v.passed, rejectedBy: v.status.plugin, reasons: v.status.reasons };
    const s = scores.get(v.node);
    return s ? { node: v.node, passed: v.passed, total: s.total, scores: s.plugins } : { node: v.node, passed: v.passed };
  });
}

/** A bounded map "namespace/name" → latest explanation; the oldest pod is forgotten first. */
export class ExplanationStore {
  readonly #byPod = new Map<string, Explanation>();
  constructor(readonly limit: number) {}

  put(e: Explanation): void {
    if (this.limit <= 0) return;
    const key = `${e.namespace}/${e.name}`;
    this.#byPod.delete(key);
    this.#byPod.set(key, e);
    if (this.#byPod.size > this.limit) this.#byPod.delete(this.#byPod.keys().next().value!);
  }

  get(namespace: string, name: string): Explanation | undefined {
    return this.#byPod.get(`${namespace}/${name}`);
  }

  get size(): number {
    return this.#byPod.size;
  }
}
