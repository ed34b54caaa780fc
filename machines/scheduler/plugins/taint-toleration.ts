/**
 * TaintToleration: filters out nodes with an untolerated NoSchedule/NoExecute taint, and
 * prefers nodes with fewer untolerated PreferNoSchedule taints (weight 3 by default).
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { ScorePlugin } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import { defaultNormalizeScore, stateKey, unresolvable } from '../framework.ts';
import { firstUntoleratedTaint, tolerated } from './helpers/tolerations.ts';

const NAME = 'TaintToleration';
const PREFER = stateKey<Toleration[]>('PreScoreTaintToleration');

/** ErrReasonNotMatch, formatted as upstream: `{key: value}`. */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

/** How many of the node's PreferNoSchedule taints `tols` leave untolerated (most nodes have none). */
function untoleratedPreferred(tols: readonly Toleration[], ni: NodeInfo): number {
  const taints = ni.preferTaints;
  if (taints.length === 0) return 0;
  let n = 0;
  for (const taint of taints) if (!tolerated(tols, taint)) n++;
  return n;
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
    return untoleratedPreferred(state.read(PREFER), ni);
  },
  scoreAll(state, _pod, nodes, out) {
    const tols = state.read(PREFER);
    for (let i = 0; i < nodes.length; i++) out[i] = untoleratedPreferred(tols, nodes[i] as NodeInfo);
  },
  normalize(_state, _pod, _nodes, scores) {
    defaultNormalizeScore(scores, true);
  },
};
