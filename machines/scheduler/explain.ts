/**
 * explain-schedule: a scheduling result laid out per node, and as the annotations
 * kube-scheduler-simulator writes on a pod (filter-result, score-result,
 * finalscore-result: node → plugin → value, as strings).
 */
import type { ScheduleResult } from './schedule-one.ts';

export const FILTER_RESULT = 'kube-scheduler-simulator.sigs.k8s.io/filter-result';
export const SCORE_RESULT = 'kube-scheduler-simulator.sigs.k8s.io/score-result';
export const FINAL_SCORE_RESULT = 'kube-scheduler-simulator.sigs.k8s.io/finalscore-result';
export const SELECTED_NODE = 'kube-scheduler-simulator.sigs.k8s.io/selected-node';

/** The simulator's word for a filter that let the node through. */
export const PASSED = 'passed';

type NodePluginMap = Record<string, Record<string, string>>;

/**
 * The simulator-style annotations of a result computed with `explain: true`. Score maps
 * hold raw scores (score-result) and normalized × weight (finalscore-result).
 */
export function simulatorAnnotations(r: ScheduleResult): Record<string, string> {
  const filter: NodePluginMap = {};
  for (const v of r.filtered ?? []) {
    const row: Record<string, string> = {};
    for (const p of v.passed) row[p] = PASSED;
    if (v.status) row[v.status.plugin] = v.status.reasons.join(', ');
    filter[v.node] = row;
  }
  const score: NodePluginMap = {};
  const final: NodePluginMap = {};
  if (r.type === 'scheduled') {
    for (const s of r.scores) {
      score[s.node] = Object.fromEntries(s.plugins.map((p) => [p.plugin, String(p.raw)]));
      final[s.node] = Object.fromEntries(s.plugins.map((p) => [p.plugin, String(p.weighted)]));
    }
  }
  const out: Record<string, string> = {
    [FILTER_RESULT]: JSON.stringify(filter),
    [SCORE_RESULT]: JSON.stringify(score),
    [FINAL_SCORE_RESULT]: JSON.stringify(final),
  };
  if (r.type === 'scheduled') out[SELECTED_NODE] = r.node;
  return out;
}

/** One line per node examined: verdict, then total and per-plugin weighted scores. */
export function explainLines(r: ScheduleResult): string[] {
  const scores = new Map(r.type === 'scheduled' ? r.scores.map((s) => [s.node, s] as const) : []);
  return (r.filtered ?? []).map((v) => {
    if (v.status) return `${v.node}: rejected by ${v.status.plugin}: ${v.status.reasons.join(', ')}`;
    const s = scores.get(v.node);
    const chosen = r.type === 'scheduled' && r.node === v.node ? ' (selected)' : '';
    if (!s) return `${v.node}: feasible${chosen}`;
    const parts = s.plugins.map((p) => `${p.plugin}=${p.score}×${p.weight}`);
    return `${v.node}: score ${s.total}${chosen} [${parts.join(' ')}]`;
  });
}
