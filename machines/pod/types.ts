import type { Pod } from 'kubernetes-types/core/v1.js';

/** The probe kinds, in the order of {@link Ctr.probes}. */
export type ProbeKind = 'startup' | 'liveness' | 'readiness';
export const PROBE_KINDS: readonly ProbeKind[] = ['startup', 'liveness', 'readiness'];

/** A finished container instance, as it becomes `state.terminated` / `lastState.terminated`. */
export interface Term {
  exitCode: number;
  /** StartError: the runtime could not start the command (exit code 128, as containerd reports it). */
  reason: 'Completed' | 'Error' | 'OOMKilled' | 'StartError';
  /** The termination message (terminationMessagePath, or the log's tail with FallbackToLogsOnError). */
  message?: string;
  startedAt: number;
  finishedAt: number;
  id: string;
}

export interface ProbeState {
  /** Next attempt (epoch ms); Infinity when not probing. */
  due: number;
  inFlight: boolean;
  /** Consecutive successes / failures. */
  ok: number;
  bad: number;
}

/**
 * One container's lifecycle, kept flat in the pod's context (no child actor per container).
 * `st` is what the kubelet is doing with the current instance.
 */
export interface Ctr {
  name: string;
  init: boolean;
  st: 'waiting' | 'pulling' | 'creating' | 'starting' | 'postStart' | 'running' | 'preStop' | 'killing' | 'exited';
  /** Waiting reason while not running: ContainerCreating, PodInitializing, CrashLoopBackOff, ErrImagePull, … */
  reason: string;
  message: string;
  /** Runtime id of the current instance, once created. */
  id: string;
  imageRef: string;
  restarts: number;
  startedAt: number;
  /** Set once the current instance exited and will not be restarted. */
  term: Term | null;
  last: Term | null;
  /** Earliest time the next (re)start may begin. */
  startAt: number;
  /** kubelet's per-container back-off entry: window (0 = none) and when it was last bumped. */
  backoffMs: number;
  backoffAt: number;
  pullBackoffMs: number;
  /** When the last pull failed (ErrImagePull); the next sync shows ImagePullBackOff. */
  pullFailedAt: number;
  started: boolean;
  ready: boolean;
  /** Set when the kubelet killed it for a failed liveness/startup probe (restart unless Never). */
  probeKilled: boolean;
  /** A kill outside pod termination (a failed postStart hook): when it began and its grace, which its preStop hook shares. */
  killAt?: number;
  killGrace?: number;
  probes: [ProbeState, ProbeState, ProbeState];
}

export type CondName = 'PodReadyToStartContainers' | 'Initialized' | 'ContainersReady' | 'Ready';
export interface Cond {
  on: boolean;
  at: number;
}

/** A Kubernetes event the pod actor reports (the kubelet turns it into a core/v1 Event). */
export interface PodEventRecord {
  type: 'Normal' | 'Warning';
  reason: 'Pulling' | 'Pulled' | 'Created' | 'Started' | 'Killing' | 'BackOff' | 'Unhealthy' | 'Failed' | 'FailedCreatePodSandBox' | 'FailedPreStopHook' | 'FailedPostStartHook';
  message: string;
  /** `spec.containers{web}` or `spec.initContainers{setup}`; absent for pod-level events. */
  fieldPath?: string;
  /** Epoch ms. */
  at: number;
}

/** What the chart asks of the runtime bridge; results come back as {@link RuntimeEvent}s. */
export type RuntimeCommand =
  | { type: 'sandbox' }
  | { type: 'pull'; i: number }
  | { type: 'create'; i: number }
  | { type: 'start'; i: number; id: string }
  | { type: 'probe'; i: number; id: string; kind: ProbeKind }
  | { type: 'postStart'; i: number; id: string }
  | { type: 'preStop'; i: number; id: string; timeoutSeconds: number }
  | { type: 'stop'; i: number; id: string; graceSeconds: number }
  | { type: 'teardown'; ids: string[] };

/** Every runtime event carries `at`: the bridge's clock when the result arrived. */
export type RuntimeEvent =
  | { type: 'rt.sandbox'; at: number; sandboxId: string; ip?: string }
  | { type: 'rt.sandboxFailed'; at: number; message: string }
  | { type: 'rt.pulling'; at: number; i: number }
  | { type: 'rt.pulled'; at: number; i: number; imageRef: string; durationMs?: number }
  | { type: 'rt.failed'; at: number; i: number; step: 'pull' | 'config' | 'create' | 'start'; message: string }
  | { type: 'rt.created'; at: number; i: number; id: string }
  | { type: 'rt.started'; at: number; i: number; id: string }
  | { type: 'rt.probe'; at: number; i: number; id: string; kind: ProbeKind; ok: boolean; message: string }
  | { type: 'rt.postStartDone'; at: number; i: number; id: string; error?: string }
  | { type: 'rt.preStopDone'; at: number; i: number; id: string; error?: string }
  | { type: 'rt.exit'; at: number; id: string; exitCode: number; message?: string; oomKilled?: boolean }
  | { type: 'rt.tornDown'; at: number };

/** The delete the kubelet forwards once the pod has a deletionTimestamp. */
export interface DeleteEvent {
  type: 'delete';
  at: number;
  /** Defaults to spec.terminationGracePeriodSeconds, then 30. */
  gracePeriodSeconds?: number;
}

/** The kubelet's eviction manager evicts the pod: kill everything at once, end Failed with reason Evicted; the pod object stays. */
export interface EvictEvent {
  type: 'evict';
  at: number;
  /** The eviction message, e.g. `Usage of EmptyDir volume "cache" exceeds the limit "1Mi". ` */
  message: string;
}

export type PodChartEvent = RuntimeEvent | DeleteEvent | EvictEvent | { type: 'tick' };

/** What the actor layer gives the chart. */
export interface PodInput {
  pod: Pod;
  /** Epoch ms when the kubelet admitted the pod: startTime, and the chart's first `now`. */
  now: number;
  hostIP: string;
  /** The IP the kubelet allocated, used unless the runtime assigns one. */
  podIP?: string;
  /** Runtime name for containerID (`sim://…`). */
  runtime: string;
}
