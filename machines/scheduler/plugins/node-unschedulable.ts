/** NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate it. */
import type { Plugin } from '../framework.ts';
import { unresolvable } from '../framework.ts';
import { tolerated } from './helpers/tolerations.ts';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const ERR_REASON_UNKNOWN_CONDITION = 'node(s) had unknown conditions';

const NAME = 'NodeUnschedulable';
const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const nodeUnschedulable: Plugin = {
  name: NAME,
  events: ['NodeAdd', 'NodeUpdate'],
  filter(_state, pod, ni) {
    if (!ni.node) return unresolvable(NAME, ERR_REASON_UNKNOWN_CONDITION);
    if (!ni.unschedulable) return null;
    if (tolerated(pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return null;
    return unresolvable(NAME, ERR_REASON_UNSCHEDULABLE);
  },
};
