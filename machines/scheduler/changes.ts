/**
 * Which changes of pods and nodes matter to the scheduler: its own result annotations on
 * a pod are no reason to retry it, and a node's heartbeat is no reason to retry anyone.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { FILTER_RESULT, FINAL_SCORE_RESULT, SCORE_RESULT, SELECTED_NODE } from './explain.ts';

const RESULT_ANNOTATIONS = [FILTER_RESULT, SCORE_RESULT, FINAL_SCORE_RESULT, SELECTED_NODE];

/** The queue must not see our own result annotations as a change that could make a pod fit. */
export function withoutResults(pod: Pod): Pod {
  const a = pod.metadata?.annotations;
  if (!a || !RESULT_ANNOTATIONS.some((k) => k in a)) return pod;
  const annotations = { ...a };
  for (const k of RESULT_ANNOTATIONS) delete annotations[k];
  return { ...pod, metadata: { ...pod.metadata, annotations } };
}

/** Scheduling-relevant parts of a node: a heartbeat-only status update moves no pod. */
export const nodeSignature = (n: Node): string =>
  JSON.stringify([n.metadata?.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable]);
