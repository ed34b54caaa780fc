/**
 * NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in
 * similar proportions after placing the pod (weight 1). Uses actual requests, not the
 * non-zero defaults; a pod that requests nothing is not scored (PreScore skip).
 */
import type { ScorePlugin } from '../framework.ts';
import { stateKey } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import { podRequests, type Resources } from '../resources.ts';
import { balancedAllocationScore } from './helpers/resource-scoring.ts';

const NAME = 'NodeResourcesBalancedAllocation';
const REQUESTS = stateKey<Resources>('PreScoreNodeResourcesBalancedAllocation');

export const nodeResourcesBalancedAllocation: ScorePlugin = {
  name: NAME,
  weight: 1,
  events: ['PodDelete', 'NodeAdd', 'NodeUpdate'],
  preScore(state, pod) {
    const req = podRequests(pod);
    if (req.milliCPU === 0 && req.memory === 0) return 'skip';
    state.write(REQUESTS, req);
    return null;
  },
  score(state, _pod, ni) {
    const req = state.read(REQUESTS);
    return balancedAllocationScore(req.milliCPU, req.memory, ni.reqMilliCPU, ni.reqMemory, ni.allocMilliCPU, ni.allocMemory);
  },
  scoreAll(state, _pod, nodes, out) {
    const { milliCPU, memory } = state.read(REQUESTS);
    for (let i = 0; i < nodes.length; i++) {
      const ni = nodes[i] as NodeInfo;
      out[i] = balancedAllocationScore(milliCPU, memory, ni.reqMilliCPU, ni.reqMemory, ni.allocMilliCPU, ni.allocMemory);
    }
  },
};
