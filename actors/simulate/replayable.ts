/**
 * What keeps a simulation's log replayable microtask for microtask (`replay --verify` with
 * no divergence). A replay re-creates the run's synchronous turns from the log: it feeds a
 * bus drain when a replayed actor's send would have queued it, and anything else once the
 * event loop idled. Two parts of a simulation are not replayed — the operator (the log's
 * edge) and the sim runtime (its results reach the pods as recorded events) — so where they
 * act in the middle of the cluster's microtask cascade, the replay cannot know when, and the
 * replayed actors' continuations interleave with the next deliveries differently than they
 * did (a controller then syncs on a cache one event newer). These two wrappers make them act
 * only where a replay looks: at idle.
 */
import type { Clock } from '../../base/clock.ts';
import type { Port } from '../../bus/bus.ts';
import type { Runtime, SandboxListener } from '../runtime/runtime.ts';
import { settle } from '../clock/virtual.ts';

/**
 * `port` with every request sent once the event loop idled (a `settle`), never from the
 * cascade in which the reply to the previous one landed: its drain then starts where a
 * replay starts one it has no sender for.
 */
export function atIdle(port: Port): Port {
  return { ...port, request: (to, type, payload, opts) => settle().then(() => port.request(to, type, payload, opts)) };
}

/** The runtime calls a pod's bridge awaits (actors/pod/bridge.ts); the rest goes straight through. */
const POD_CALLS = new Set<string>(['runPodSandbox', 'stopPodSandbox', 'removePodSandbox', 'imageStatus', 'pullImage', 'createContainer', 'startContainer', 'stopContainer', 'removeContainer', 'execProbe', 'runHook']);

/**
 * `runtime` whose pod calls answer from a timer due now on `clock` (a virtual clock fires it
 * in the same instant, between two settles), not from wherever the runtime's own promise
 * resolved: the pod hears the result as a turn of its own that starts at idle, as a replay
 * feeds it. The same goes for a sandbox's container exits (the sim reports an exit it was
 * asked for — a stop within the grace period — from a microtask: a kubelet's status write
 * then read the exit live and not in the replay). An exit's timer is set before the stop's
 * answer's, so the exit still comes first. Virtual time does not move.
 */
export function onClock(runtime: Runtime, clock: Clock): Runtime {
  const later = <T>(r: T): Promise<T> => new Promise((resolve) => clock.setTimeout(() => resolve(r), 0));
  const exitsLater = (l: SandboxListener): SandboxListener => ({ ...l, onExit: (x) => void clock.setTimeout(() => l.onExit(x), 0) });
  return new Proxy(runtime, {
    get(t, k, r) {
      const v = Reflect.get(t, k, r) as unknown;
      if (typeof k !== 'string' || !POD_CALLS.has(k) || typeof v !== 'function') return v;
      const call = v as (...a: unknown[]) => Promise<unknown>;
      if (k === 'runPodSandbox') return (pod: unknown, l: SandboxListener, ...rest: unknown[]) => call.apply(t, [pod, exitsLater(l), ...rest]).then(later);
      return (...args: unknown[]) => call.apply(t, args).then(later);
    },
  });
}

/**
 * `p`'s outcome (value or error) handed on once the event loop idled (a `settle`): whoever
 * awaits it continues in a turn of its own that starts where a replay starts one it has no
 * sender for, not in the cascade in which `p` settled.
 */
export function settledAtIdle<T>(p: Promise<T>): Promise<T> {
  return p.then(
    (v) => settle().then(() => v),
    (e: unknown) => settle().then(() => Promise.reject(e)),
  );
}
