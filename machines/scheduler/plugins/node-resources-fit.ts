/**
 * NodeResourcesFit: the node must have room for the pod's requests (cpu, memory,
 * ephemeral-storage, extended resources) and for one more pod. Scores with the
 * LeastAllocated strategy (weight 1; cpu and memory weighted 1 each).
 */
import type { ScorePlugin } from '../framework.ts';
import { stateKey, unschedulable } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';
import { podRequests, type Resources } from '../resources.ts';
import { leastAllocatedScore } from './helpers/resource-scoring.ts';

const NAME = 'NodeResourcesFit';
const REQUESTS = stateKey<Resources>('PreFilterNodeResourcesFit');
const NON_ZERO = stateKey<Resources>('PreScoreNodeResourcesFit');

export const ERR_TOO_MANY_PODS = 'Too many pods';

/**
 * True when the node has room for `req` and one more pod: insufficientResources would be
 * empty. Allocation-free, because it runs for every node visited; the reasons are worked
 * out only for the nodes that do not fit.
 */
export function fits(req: Resources, ni: NodeInfo): boolean {
  if (ni.numPods + 1 > ni.allowedPods) return false;
  if (req.milliCPU > 0 && req.milliCPU > ni.allocMilliCPU - ni.reqMilliCPU) return false;
  if (req.memory > 0 && req.memory > ni.allocMemory - ni.reqMemory) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > ni.allocEphemeralStorage - ni.reqEphemeralStorage) return false;
  if (req.scalars.size > 0) {
    const a = ni.allocatable;
    const r = ni.requested;
    for (const [name, q] of req.scalars) if (q !== 0 && q > (a.scalars.get(name) ?? 0) - (r.scalars.get(name) ?? 0)) return false;
  }
  return true;
}

/** fitsRequest: every shortfall, in upstream order (pods, cpu, memory, storage, then scalars by name). */
export function insufficientResources(req: Resources, ni: NodeInfo): string[] {
  const out: string[] = [];
  if (ni.pods.size + 1 > ni.allocatable.allowedPods) out.push(ERR_TOO_MANY_PODS);
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && req.scalars.size === 0) return out;
  const a = ni.allocatable;
  const r = ni.requested;
  if (req.milliCPU > 0 && req.milliCPU > a.milliCPU - r.milliCPU) out.push('Insufficient cpu');
  if (req.memory > 0 && req.memory > a.memory - r.memory) out.push('Insufficient memory');
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > a.ephemeralStorage - r.ephemeralStorage) {
    out.push('Insufficient ephemeral-storage');
  }
  if (req.scalars.size > 0) {
    for (const name of [...req.scalars.keys()].sort()) {
      const q = req.scalars.get(name) ?? 0;
      if (q === 0) continue;
      if (q > (a.scalars.get(name) ?? 0) - (r.scalars.get(name) ?? 0)) out.push(`Insufficient ${name}`);
    }
  }
  return out;
}

export const nodeResourcesFit: ScorePlugin = {
  name: NAME,
  weight: 1,
  events: ['PodDelete', 'NodeAdd', 'NodeUpdate'],
  preFilter(state, pod) {
    state.write(REQUESTS, podRequests(pod));
    return null;
  },
  filter(state, _pod, ni) {
    const req = state.read(REQUESTS);
    return fits(req, ni) ? null : unschedulable(NAME, ...insufficientResources(req, ni));
  },
  preScore(state, pod) {
    state.write(NON_ZERO, podRequests(pod, true));
    return null;
  },
  score(state, _pod, ni) {
    const req = state.read(NON_ZERO);
    return leastAllocatedScore(req.milliCPU, req.memory, ni.nonZeroMilliCPU, ni.nonZeroMemory, ni.allocMilliCPU, ni.allocMemory);
  },
  scoreAll(state, _pod, nodes, out) {
    const { milliCPU, memory } = state.read(NON_ZERO);
    for (let i = 0; i < nodes.length; i++) {
      const ni = nodes[i] as NodeInfo;
      out[i] = leastAllocatedScore(milliCPU, memory, ni.nonZeroMilliCPU, ni.nonZeroMemory, ni.allocMilliCPU, ni.allocMemory);
    }
  },
};
