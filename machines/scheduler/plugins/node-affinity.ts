/**
 * NodeAffinity: the node must match spec.nodeSelector and the required node affinity; the
 * preferred terms score the sum of the weights that match (weight 2 by default).
 */
import type { ScorePlugin } from '../framework.ts';
import { defaultNormalizeScore, stateKey, unresolvable } from '../framework.ts';
import {
  compileTerm,
  matchesRequired,
  requiredNodeAffinity,
  nodeNamesOf,
  termMatches,
  type CompiledTerm,
  type RequiredNodeAffinity,
} from './helpers/node-selector.ts';

export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

const NAME = 'NodeAffinity';
const REQUIRED = stateKey<RequiredNodeAffinity>('PreFilterNodeAffinity');
const PREFERRED = stateKey<Array<{ weight: number; term: CompiledTerm }>>('PreScoreNodeAffinity');

export const nodeAffinity: ScorePlugin = {
  name: NAME,
  weight: 2,
  events: ['NodeAdd', 'NodeUpdate'],
  preFilter(state, pod) {
    const req = requiredNodeAffinity(pod);
    if (!req) return 'skip';
    state.write(REQUIRED, req);
    const names = nodeNamesOf(pod);
    if (names?.size === 0) return unresolvable(NAME, ERR_REASON_CONFLICT);
    return names ? { nodeNames: names } : null;
  },
  filter(state, _pod, ni) {
    if (!ni.node || matchesRequired(state.read(REQUIRED), ni.node)) return null;
    return unresolvable(NAME, ERR_REASON_NODE_AFFINITY);
  },
  preScore(state, pod) {
    const preferred = [];
    for (const p of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      const term = compileTerm(p.preference);
      if (term && p.weight !== 0) preferred.push({ weight: p.weight, term });
    }
    if (preferred.length === 0) return 'skip';
    state.write(PREFERRED, preferred);
    return null;
  },
  score(state, _pod, ni) {
    let sum = 0;
    if (!ni.node) return 0;
    for (const p of state.read(PREFERRED)) if (termMatches(p.term, ni.node)) sum += p.weight;
    return sum;
  },
  normalize(_state, _pod, _nodes, scores) {
    defaultNormalizeScore(scores, false);
  },
};
