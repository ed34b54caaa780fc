/**
 * TaintToleration: filters out nodes with an untolerated NoSchedule/NoExecute taint, and
 * prefers nodes with fewer untolerated PreferNoSchedule taints (weight 3 by default).
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { ScorePlugin } from '../framework.ts';
import { defaultNormalizeScore, stateKey, unresolvable } from '../framework.ts';
import { firstUntoleratedTaint, tolerated } from './helpers/tolerations.ts';

const NAME = 'TaintToleration';
const PREFER = stateKey<Toleration[]>('PreScoreTaintToleration');

/** ErrReasonNotMatch, formatted as upstream: `{key: value}`. */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

/** NodeInfo.hardTaints holds only NoSchedule and NoExecute taints already. */
const always = (): boolean => true;

export const taintToleration: ScorePlugin = {
  name: NAME,
  weight: 3,
  events: ['NodeAdd', 'NodeUpdate'],
  filter(_state, pod, ni) {
    if (ni.hardTaints.length === 0) return null;
    const taint = firstUntoleratedTaint(ni.hardTaints, pod.spec?.tolerations, always);
    return taint ? unresolvable(NAME, untoleratedTaintReason(taint)) : null;
  },
  preScore(state, pod) {
    const tols = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(PREFER, tols);
    return null;
  },
  score(state, _pod, ni) {
    const tols = state.read(PREFER);
    let n = 0;
    for (const taint of ni.preferTaints) if (!tolerated(tols, taint)) n++;
    return n;
  },
  normalize(_state, _pod, _nodes, scores) {
    defaultNormalizeScore(scores, true);
  },
};
