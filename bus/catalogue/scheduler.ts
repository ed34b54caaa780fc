import { Type, type Static } from '@sinclair/typebox';
import { request } from './define.ts';

/**
 * The scheduler's protocol on the bus (address `scheduler`): questions about its recent
 * decisions and its queue. Scheduling itself needs no message of its own — the scheduler
 * reads pods and nodes through apiserver watches and binds through pods/binding.
 */

/** One plugin's score on one node: raw, normalized to 0–100, and times the plugin's weight. */
export const PluginScoreSchema = Type.Object({
  plugin: Type.String(),
  raw: Type.Number(),
  score: Type.Number(),
  weight: Type.Number(),
  weighted: Type.Number(),
});

/** One node examined for a pod: the filters it passed, who rejected it, and its scores if feasible. */
export const NodeVerdictSchema = Type.Object({
  node: Type.String(),
  passed: Type.Array(Type.String()),
  /** The filter plugin that rejected the node, and its reasons; absent when the node fit. */
  rejectedBy: Type.Optional(Type.String()),
  reasons: Type.Optional(Type.Array(Type.String())),
  /** Weighted total over the score plugins (feasible nodes only). */
  total: Type.Optional(Type.Number()),
  scores: Type.Optional(Type.Array(PluginScoreSchema)),
});
export type NodeVerdict = Static<typeof NodeVerdictSchema>;

/**
 * The explanation of one scheduling attempt. `result` is `scheduled` (with `node`),
 * `unschedulable` (with the FitError `message`) or `error` (with `message`). `nodes` lists
 * the nodes the filters examined, in visiting order (see `complete`); nodes a PreFilter
 * ruled out are not listed (the message says why).
 */
export const ExplanationSchema = Type.Object({
  namespace: Type.String(),
  name: Type.String(),
  uid: Type.Optional(Type.String()),
  /** When the attempt was made (ms since the epoch, the scheduler's clock). */
  at: Type.Number(),
  /** Attempts made for the pod so far, this one included. */
  attempt: Type.Number(),
  result: Type.Union([Type.Literal('scheduled'), Type.Literal('unschedulable'), Type.Literal('error')]),
  node: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  /** Nodes in the cluster at the time, and how many the filters examined (sampling). */
  numAllNodes: Type.Number(),
  evaluatedNodes: Type.Number(),
  /**
   * True when `nodes` covers every examined node with its filters and scores. False when
   * the scheduler explains only opted-in pods in full: then `nodes` holds the rejected
   * nodes of an unschedulable pod, or the best three nodes (scores only) of a bound one.
   */
  complete: Type.Boolean(),
  nodes: Type.Array(NodeVerdictSchema),
});
export type Explanation = Static<typeof ExplanationSchema>;

export const SchedulerStatsSchema = Type.Object({
  queue: Type.Object({ active: Type.Number(), backoff: Type.Number(), unschedulable: Type.Number(), gated: Type.Number() }),
  /** Scheduling attempts (one per cycle). */
  attempts: Type.Number(),
  /** Binds the apiserver confirmed, and binds it refused. */
  bound: Type.Number(),
  bindFailures: Type.Number(),
  /** Attempts that found no node (or failed with an error). */
  failures: Type.Number(),
  /** Bind requests awaiting their answer. */
  inFlight: Type.Number(),
  nodes: Type.Number(),
  /** Pods accounted on nodes (bound and assumed). */
  pods: Type.Number(),
});
export type SchedulerStats = Static<typeof SchedulerStatsSchema>;

export const schedulerMessages = {
  /**
   * The latest scheduling attempt for a pod, if it is among the last N the scheduler keeps;
   * 404 NotFound otherwise. `namespace` defaults to "default".
   */
  'scheduler.explain': request(Type.Object({ namespace: Type.Optional(Type.String()), name: Type.String() }), ExplanationSchema),
  /** Counters and queue sizes, for specs, benches and `kubeactor` status output. */
  'scheduler.stats': request(Type.Object({}), SchedulerStatsSchema),
};
