import type { ProbeKind } from './runtime.ts';
import { deepFreeze } from '../../api/json.ts';
import { parseQuantity } from '../../api/quantity.ts';

/**
 * How the `sim` runtime behaves is set per pod by annotations under {@link SIM_PREFIX}.
 * Every key may be given pod-wide (`sim.kubeactor.io/pull-ms`) or for one container
 * (`sim.kubeactor.io/pull-ms.web`); the container form wins. Times are virtual (the
 * injected clock); a value that does not parse is ignored (the default applies).
 *
 * | key                      | value                        | default | effect                                                      |
 * |--------------------------|------------------------------|---------|-------------------------------------------------------------|
 * | `sandbox-ms`             | ms                           | 0       | pod sandbox creation latency                                |
 * | `pull-ms`                | ms                           | 0       | image pull latency (only when the image is pulled)          |
 * | `pull-fail`              | message or `true`            | —       | pulls fail: ErrImagePull with this message                  |
 * | `start-ms`               | ms                           | 0       | StartContainer latency                                      |
 * | `start-fail`             | message or `true`            | —       | StartContainer fails: StartError (exit 128) with this message |
 * | `exit-after-s`           | seconds                      | never   | the container exits this long after it started              |
 * | `exit-code`              | integer                      | 0       | its exit code when it exits by itself                       |
 * | `stop-ms`                | ms                           | 0       | time to exit after SIGTERM                                  |
 * | `ignore-sigterm`         | `true`                       | false   | SIGTERM is ignored: killed (137) at the grace deadline      |
 * | `term-exit-code`         | integer                      | 0       | exit code after a SIGTERM it honoured                       |
 * | `startup`                | probe behaviour (see below)  | success | startup probe results                                       |
 * | `liveness`               | probe behaviour              | success | liveness probe results                                      |
 * | `readiness`              | probe behaviour              | success | readiness probe results                                     |
 * | `startup-after-s`        | seconds                      | —       | shorthand for `startup: success-after:<s>`                  |
 * | `ready-after-s`          | seconds                      | —       | shorthand for `readiness: success-after:<s>`                |
 * | `liveness-fail-after-s`  | seconds                      | —       | shorthand for `liveness: fail-after:<s>`                    |
 * | `probe-ms`               | ms                           | 0       | probe latency (over timeoutSeconds: the probe times out)    |
 * | `prestop-ms`             | ms                           | 0       | how long a preStop hook runs                                |
 * | `poststart-ms`           | ms                           | 0       | how long a postStart hook runs                              |
 * | `poststart-fail`         | message or `true`            | —       | the postStart hook fails with this message                  |
 * | `log-every-s`            | seconds                      | —       | writes `line <n>` every N seconds while running             |
 * | `log-text`               | text (`\n` splits lines)     | —       | written once when the container starts                      |
 * | `cpu-usage`              | CPU quantity (`250m`)        | 1m      | cores the container burns while running (metrics API)       |
 * | `memory-usage`           | quantity (`64Mi`)            | 4Mi     | its working-set memory while running (metrics API)          |
 *
 * Probe behaviour: `success` | `failure` | `success-after:<s>` (fails until s seconds after
 * the container started, then succeeds) | `fail-after:<s>` (succeeds, then fails from s
 * seconds after start).
 */
export const SIM_PREFIX = 'sim.kubeactor.io/';

export type ProbeBehaviour =
  | { kind: 'success' }
  | { kind: 'failure' }
  | { kind: 'success-after'; ms: number }
  | { kind: 'fail-after'; ms: number };

/** The behaviour of one container, resolved from the pod's annotations. */
export interface SimContainerConfig {
  sandboxMs: number;
  pullMs: number;
  pullFail: string | null;
  startMs: number;
  startFail: string | null;
  /** Null: runs until stopped. */
  exitAfterMs: number | null;
  exitCode: number;
  stopMs: number;
  ignoreSigterm: boolean;
  termExitCode: number;
  probes: Record<ProbeKind, ProbeBehaviour>;
  probeMs: number;
  preStopMs: number;
  postStartMs: number;
  postStartFail: string | null;
  logEveryMs: number | null;
  logText: string | null;
  /** Cores burnt while running, in nanocores (`cpu-usage`). */
  cpuNanoCores: number;
  /** Working set while running, in bytes (`memory-usage`). */
  memoryBytes: number;
}

/**
 * The usage of a container that says nothing: 1m and 4Mi, an idle process's order of size — a
 * real container is never at exactly zero, and so small it moves no HorizontalPodAutoscaler.
 */
export const DEFAULT_CPU_NANOCORES = 1_000_000;
export const DEFAULT_MEMORY_BYTES = 4 * 1024 * 1024;

type Annotations = Readonly<Record<string, string>> | undefined;

/** Resolves the config of container `name` (pass '' for pod-level keys only). */
export function simConfig(annotations: Annotations, name: string): SimContainerConfig {
  // Most pods say nothing to the sim: they share one default instead of holding a copy each.
  if (!annotations || !Object.keys(annotations).some((k) => k.startsWith(SIM_PREFIX))) return (DEFAULT_CONFIG ??= deepFreeze(configOf(undefined, '')));
  return configOf(annotations, name);
}

let DEFAULT_CONFIG: SimContainerConfig | undefined;

function configOf(annotations: Annotations, name: string): SimContainerConfig {
  const get = (key: string): string | undefined =>
    annotations?.[`${SIM_PREFIX}${key}.${name}`] ?? annotations?.[`${SIM_PREFIX}${key}`];
  const probe = (kind: ProbeKind, shorthand: string, shape: 'success-after' | 'fail-after'): ProbeBehaviour => {
    const own = get(kind);
    const parsed = own === undefined ? null : parseProbe(own);
    if (parsed) return parsed;
    const s = seconds(get(shorthand));
    return s === null ? { kind: 'success' } : { kind: shape, ms: s };
  };
  const failure = (key: string, fallback: string): string | null => {
    const v = get(key);
    return v === undefined || v === 'false' ? null : v === 'true' ? fallback : v;
  };
  return {
    sandboxMs: ms(get('sandbox-ms')) ?? 0,
    pullMs: ms(get('pull-ms')) ?? 0,
    pullFail: failure('pull-fail', 'simulated pull failure'),
    startMs: ms(get('start-ms')) ?? 0,
    startFail: failure('start-fail', 'simulated start failure'),
    exitAfterMs: seconds(get('exit-after-s')),
    exitCode: int(get('exit-code')) ?? 0,
    stopMs: ms(get('stop-ms')) ?? 0,
    ignoreSigterm: get('ignore-sigterm') === 'true',
    termExitCode: int(get('term-exit-code')) ?? 0,
    probes: {
      startup: probe('startup', 'startup-after-s', 'success-after'),
      liveness: probe('liveness', 'liveness-fail-after-s', 'fail-after'),
      readiness: probe('readiness', 'ready-after-s', 'success-after'),
    },
    probeMs: ms(get('probe-ms')) ?? 0,
    preStopMs: ms(get('prestop-ms')) ?? 0,
    postStartMs: ms(get('poststart-ms')) ?? 0,
    postStartFail: failure('poststart-fail', 'simulated postStart failure'),
    logEveryMs: seconds(get('log-every-s')),
    logText: get('log-text') ?? null,
    cpuNanoCores: quantity(get('cpu-usage')) ?? DEFAULT_CPU_NANOCORES,
    memoryBytes: units(quantity(get('memory-usage'))) ?? DEFAULT_MEMORY_BYTES,
  };
}

/** Whether a probe attempt `sinceStartMs` after the container started succeeds. */
export function probeSucceeds(b: ProbeBehaviour, sinceStartMs: number): boolean {
  switch (b.kind) {
    case 'success': return true;
    case 'failure': return false;
    case 'success-after': return sinceStartMs >= b.ms;
    case 'fail-after': return sinceStartMs < b.ms;
  }
}

function parseProbe(v: string): ProbeBehaviour | null {
  if (v === 'success' || v === 'failure') return { kind: v };
  const m = /^(success-after|fail-after):(\d+(?:\.\d+)?)$/.exec(v);
  return m ? { kind: m[1] as 'success-after' | 'fail-after', ms: Math.round(Number(m[2]) * 1000) } : null;
}

function ms(v: string | undefined): number | null {
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
}
function seconds(v: string | undefined): number | null {
  return v !== undefined && /^\d+(\.\d+)?$/.test(v) ? Math.round(Number(v) * 1000) : null;
}
/** A non-negative quantity in nano-units, or null when absent or not one. */
function quantity(v: string | undefined): number | null {
  const q = v === undefined ? null : parseQuantity(v);
  return q?.ok && q.value.nano >= 0n ? Number(q.value.nano) : null;
}
/** Nano-units to whole units, rounded up as Quantity.Value does. */
function units(nano: number | null): number | null {
  return nano === null ? null : Math.ceil(nano / 1e9);
}
function int(v: string | undefined): number | null {
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : null;
}
