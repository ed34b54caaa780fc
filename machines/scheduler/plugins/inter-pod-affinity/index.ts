/**
 * InterPodAffinity: required pod affinity/anti-affinity filter, preferred terms score
 * (weight 2 by default).
 */
import type { ScorePlugin } from '../../framework.ts';
import { NAME, filter, preFilter } from './filtering.ts';
import { normalize, preScore, score } from './scoring.ts';

export { ERR_REASON_AFFINITY, ERR_REASON_ANTI_AFFINITY, ERR_REASON_EXISTING_ANTI_AFFINITY } from './filtering.ts';

export const interPodAffinity: ScorePlugin = {
  name: NAME,
  weight: 2,
  events: ['PodAdd', 'PodUpdate', 'PodDelete', 'NodeAdd', 'NodeUpdate'],
  preFilter,
  filter,
  preScore,
  score,
  normalize,
};
