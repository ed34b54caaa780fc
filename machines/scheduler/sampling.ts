/**
 * percentageOfNodesToScore (schedule_one.go numFeasibleNodesToFind): in big clusters the
 * scheduler stops filtering once it has found "enough" feasible nodes, and starts the next
 * pod's search where this one stopped so every node gets its turn.
 */

/** minFeasibleNodesToFind: always look for at least this many feasible nodes. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** minFeasibleNodesPercentageToFind: the adaptive percentage never drops below this. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
const BASE_PERCENTAGE = 50;

/**
 * How many feasible nodes to look for among `numAllNodes`. `percentage` 0 (the default)
 * means adaptive: 50% minus 1% per 125 nodes, floored at 5%; 100 and above means all.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) {
    pct = BASE_PERCENTAGE - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}
