/**
 * A Runtime that forwards to another (the shared sim runtime) and keeps what is running:
 * per sandbox its pod, per container whether it runs. The one-pod-per-ordinal invariant reads
 * it, because "running" is the data plane's fact, not the API's (a pod deleted from the API
 * may still run on a node the control plane cannot reach).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Runtime } from '../runtime/runtime.ts';
import type { RunningPod } from '../../machines/simulate/invariants.ts';

export class RunningPods {
  readonly #sandboxes = new Map<string, RunningPod>();
  readonly #containerSandbox = new Map<string, string>();
  readonly #running = new Set<string>();

  /** Pod instances with at least one running container. */
  running(): RunningPod[] {
    const out = new Map<string, RunningPod>();
    for (const c of this.#running) {
      const sb = this.#containerSandbox.get(c);
      const pod = sb === undefined ? undefined : this.#sandboxes.get(sb);
      if (pod) out.set(sb!, pod);
    }
    return [...out.values()];
  }

  /** `runtime` with its sandbox and container lifecycle observed. */
  wrap(runtime: Runtime): Runtime {
    const self = this;
    const stopped = (id: string): void => void self.#running.delete(id);
    // Each returns the runtime's own promise and observes it on the side: no extra hop, so the
    // kubelets time their steps exactly as without the observer (and a recording replays).
    const seen = <T>(p: Promise<T>, f: (r: T) => void): Promise<T> => (void p.then(f), p);
    const wrapped: Partial<Runtime> = {
      runPodSandbox(pod: Pod, listener, config) {
        const m = pod.metadata ?? {};
        const info = { namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '', node: pod.spec?.nodeName ?? '' };
        return seen(runtime.runPodSandbox(pod, { ...listener, onExit: (exit) => (stopped(exit.containerId), listener.onExit(exit)) }, config), (r) => {
          if (r.ok) self.#sandboxes.set(r.value.sandboxId, info);
        });
      },
      stopPodSandbox(id) {
        return seen(runtime.stopPodSandbox(id), () => {
          for (const [c, sb] of self.#containerSandbox) if (sb === id) stopped(c);
        });
      },
      removePodSandbox(id) {
        return seen(runtime.removePodSandbox(id), () => {
          for (const [c, sb] of [...self.#containerSandbox]) if (sb === id) (stopped(c), self.#containerSandbox.delete(c));
          self.#sandboxes.delete(id);
        });
      },
      createContainer(sandboxId, container, attempt, config) {
        return seen(runtime.createContainer(sandboxId, container, attempt, config), (r) => {
          if (r.ok) self.#containerSandbox.set(r.value.containerId, sandboxId);
        });
      },
      startContainer(id) {
        return seen(runtime.startContainer(id), (r) => {
          if (r.ok) self.#running.add(id);
        });
      },
      stopContainer(id, grace) {
        return seen(runtime.stopContainer(id, grace), () => stopped(id));
      },
    };
    // Everything else (images, probes, logs, streams) goes straight through.
    return new Proxy(runtime, { get: (t, k, r) => (k in wrapped ? wrapped[k as keyof Runtime] : Reflect.get(t, k, r)) }) as Runtime;
  }
}
