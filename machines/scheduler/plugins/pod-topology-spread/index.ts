/**
 * PodTopologySpread: spreads matching pods across topology domains — hard constraints
 * (DoNotSchedule) filter, soft ones (ScheduleAnyway) score with weight 2. A pod without
 * constraints of its own that a Service, ReplicationController, ReplicaSet or StatefulSet
 * selects is scored by the system defaults (by node, maxSkew 3; by zone, maxSkew 5).
 */
import type { ScorePlugin } from '../../framework.ts';
import { NAME, filter, preFilter } from './filtering.ts';
import { normalize, preScore, score } from './scoring.ts';

export { ERR_REASON_CONSTRAINTS_NOT_MATCH, ERR_REASON_NODE_LABEL_NOT_MATCH } from './filtering.ts';

export const podTopologySpread: ScorePlugin = {
  name: NAME,
  weight: 2,
  events: ['PodAdd', 'PodUpdate', 'PodDelete', 'NodeAdd', 'NodeUpdate', 'NodeDelete'],
  preFilter,
  filter,
  preScore,
  score,
  normalize,
};
