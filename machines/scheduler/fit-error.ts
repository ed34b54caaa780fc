/**
 * FitError (framework/types.go): why no node fits a pod, with the message kube-scheduler
 * puts in the FailedScheduling event: "0/3 nodes are available: 1 node(s) had untolerated
 * taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu."
 */
import type { Status } from './framework.ts';

export const ERR_NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export interface FitError {
  numAllNodes: number;
  /** The status of each node that was filtered and rejected. */
  nodeToStatus: Map<string, Status>;
  /**
   * The status of every node not in nodeToStatus (NodeToStatus.AbsentNodesStatus): set
   * when PreFilter rejected the pod, or narrowed the nodes to a set that all failed.
   */
  absentStatus: Status | undefined;
  /** Set when a PreFilter plugin rejected the pod outright. */
  preFilterMsg: string | undefined;
  /** Plugins that rejected the pod somewhere: the queue retries it on their events. */
  unschedulablePlugins: Set<string>;
  message: string;
}

/**
 * FitError.Error(): each reason counted over the nodes (absent nodes carry the absent
 * status), rendered "<count> <reason>", sorted as strings (so "10 …" sorts before "2 …",
 * as in Go), joined by ", ". A PreFilter message replaces the histogram; a PostFilter
 * message (which ends in its own period) is appended.
 */
export function fitErrorMessage(
  numAllNodes: number,
  statuses: Iterable<Status>,
  opts: { preFilterMsg?: string; absent?: { status: Status; count: number }; postFilterMsg?: string } = {},
): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (opts.preFilterMsg) {
    msg += ` ${opts.preFilterMsg}.`;
  } else {
    const histogram = new Map<string, number>();
    for (const s of statuses) for (const r of s.reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
    if (opts.absent && opts.absent.count > 0) {
      for (const r of opts.absent.status.reasons) histogram.set(r, (histogram.get(r) ?? 0) + opts.absent.count);
    }
    const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`);
    parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  }
  if (opts.postFilterMsg) msg += ` ${opts.postFilterMsg}`;
  return msg;
}

export function newFitError(
  numAllNodes: number,
  nodeToStatus: Map<string, Status>,
  opts: { absentStatus?: Status; preFilterMsg?: string; plugins?: Iterable<string> } = {},
): FitError {
  const unschedulablePlugins = new Set<string>(opts.plugins ?? []);
  for (const s of nodeToStatus.values()) unschedulablePlugins.add(s.plugin);
  if (opts.absentStatus) unschedulablePlugins.add(opts.absentStatus.plugin);
  const absentCount = numAllNodes - nodeToStatus.size;
  return {
    numAllNodes,
    nodeToStatus,
    absentStatus: opts.absentStatus,
    preFilterMsg: opts.preFilterMsg,
    unschedulablePlugins,
    message: fitErrorMessage(numAllNodes, nodeToStatus.values(), {
      preFilterMsg: opts.preFilterMsg,
      absent: opts.absentStatus ? { status: opts.absentStatus, count: absentCount } : undefined,
    }),
  };
}
