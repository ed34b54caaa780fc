import type { LogTarget, RuntimeContainerStatus } from './runtime.ts';

/** What every runtime records of one container instance: the CRI ContainerStatus fields, under its id. */
export type BookEntry = Omit<RuntimeContainerStatus, 'containerId'> & { id: string };

/**
 * A runtime's container bookkeeping: instances by id, and per pod and container name the
 * current and the previous instance (what `kubectl logs [--previous]` addresses).
 */
export class ContainerBook<C extends BookEntry> {
  readonly byId = new Map<string, C>();
  readonly #instances = new Map<string, [C, C?]>();

  /** Records a new instance of `podUid`'s container `c.name`; the one it replaces becomes the previous. */
  add(c: C, podUid: string, sandbox: { containers: Set<string> }): void {
    this.byId.set(c.id, c);
    sandbox.containers.add(c.id);
    const key = `${podUid}/${c.name}`;
    this.#instances.set(key, [c, this.#instances.get(key)?.[0]]);
  }

  instance(t: LogTarget, previous?: boolean): C | undefined {
    return this.#instances.get(`${t.podUid}/${t.container}`)?.[previous ? 1 : 0];
  }

  /** Forgets the pod's log instances (its sandbox was removed). */
  forgetPod(podUid: string): void {
    for (const key of [...this.#instances.keys()]) if (key.startsWith(`${podUid}/`)) this.#instances.delete(key);
  }

  status(c: C): RuntimeContainerStatus {
    const s: RuntimeContainerStatus = { containerId: c.id, name: c.name, state: c.state, createdAt: c.createdAt, imageRef: c.imageRef };
    if (c.startedAt !== undefined) s.startedAt = c.startedAt;
    if (c.finishedAt !== undefined) s.finishedAt = c.finishedAt;
    if (c.exitCode !== undefined) s.exitCode = c.exitCode;
    if (c.message !== undefined) s.message = c.message;
    return s;
  }
}
