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
    const wrapped: Partial<Runtime> = {
      async runPodSandbox(pod: Pod, listener, config) {
        const r = await runtime.runPodSandbox(pod, { ...listener, onExit: (exit) => (stopped(exit.containerId), listener.onExit(exit)) }, config);
        if (r.ok) {
          const m = pod.metadata ?? {};
          self.#sandboxes.set(r.value.sandboxId, { namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '', node: pod.spec?.nodeName ?? '' });
        }
        return r;
      },
      async stopPodSandbox(id) {
        const r = await runtime.stopPodSandbox(id);
        for (const [c, sb] of self.#containerSandbox) if (sb === id) stopped(c);
        return r;
      },
      async removePodSandbox(id) {
        const r = await runtime.removePodSandbox(id);
        for (const [c, sb] of [...self.#containerSandbox]) if (sb === id) (stopped(c), self.#containerSandbox.delete(c));
        self.#sandboxes.delete(id);
        return r;
      },
      async createContainer(sandboxId, container, attempt, config) {
        const r = await runtime.createContainer(sandboxId, container, attempt, config);
        if (r.ok) self.#containerSandbox.set(r.value.containerId, sandboxId);
        return r;
      },
      async startContainer(id) {
        const r = await runtime.startContainer(id);
        if (r.ok) self.#running.add(id);
        return r;
      },
      async stopContainer(id, grace) {
        const r = await runtime.stopContainer(id, grace);
        stopped(id);
        return r;
      },
    };
    // Everything else (images, probes, logs, streams) goes straight through.
    return new Proxy(runtime, { get: (t, k, r) => (k in wrapped ? wrapped[k as keyof Runtime] : Reflect.get(t, k, r)) }) as Runtime;
  }
}
