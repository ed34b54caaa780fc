/**
 * A kubelet's runtime handlers: what a RuntimeClass's `handler` selects, as containerd's
 * runtime handlers are. Every kubelet has `sim` and `process`; the node's default runs the
 * pods without a runtimeClassName. A handler other than the default is built on its first
 * pod, so 10k sim nodes make no process runtime (no state directory, no reaper scan).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Runtime } from '../runtime/runtime.ts';

/** A runtime a kubelet may have to end the processes of when it stops (the process runtime). */
export type HandlerRuntime = Runtime & { shutdown?(): Promise<void> };

export class RuntimeHandlers {
  readonly #made = new Map<string, HandlerRuntime>();

  /** `others` build the non-default handlers by name. */
  constructor(readonly defaultRuntime: HandlerRuntime, private readonly others: Readonly<Record<string, () => HandlerRuntime>> = {}) {
    this.#made.set(defaultRuntime.name, defaultRuntime);
  }

  get names(): string[] {
    return [...new Set([this.defaultRuntime.name, ...Object.keys(this.others)])].sort();
  }

  /** The runtime of `handler`, built on first use; undefined when this kubelet has no such handler. */
  get(handler: string): HandlerRuntime | undefined {
    let rt = this.#made.get(handler);
    if (rt) return rt;
    const make = this.others[handler];
    if (!make) return undefined;
    rt = make();
    this.#made.set(handler, rt);
    return rt;
  }

  /** Ends what the built runtimes still run (a stopping kubelet's pods must not outlive it). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.#made.values()].map((rt) => rt.shutdown?.()));
  }
}

/** kubelet's message for a RuntimeClass whose handler it does not have (CRI's, as containerd words it). */
export const noHandler = (handler: string): string =>
  `rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "${handler}" is configured`;

/** The RuntimeClass a pod asks for; undefined: the node's default handler. */
export const runtimeClassOf = (pod: Pod): string | undefined => pod.spec?.runtimeClassName || undefined;
