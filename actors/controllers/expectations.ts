/**
 * ControllerExpectations (pkg/controller/controller_utils.go) with UID-tracked deletions:
 * what a controller has asked the apiserver to create or delete and not yet seen in its
 * informer. While expectations are pending, a sync does not manage replicas again — so a
 * lagging watch cannot cause double creation. They expire after 5 minutes, in case an
 * event was missed for good.
 */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  at: number;
  /** Keys of the pods whose deletion is expected. */
  deleting: Set<string>;
}

export class Expectations {
  readonly #m = new Map<string, Expectation>();
  constructor(private readonly now: () => number) {}

  expectCreations(key: string, n: number): void {
    this.#m.set(key, { add: n, del: 0, at: this.now(), deleting: new Set() });
  }
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.#m.set(key, { add: 0, del: podKeys.length, at: this.now(), deleting: new Set(podKeys) });
  }
  creationObserved(key: string): void {
    const e = this.#m.get(key);
    if (e) e.add--;
  }
  /** Lowers the deletions only for a pod whose deletion was expected (a pod is seen deleted more than once). */
  deletionObserved(key: string, podKey: string): void {
    const e = this.#m.get(key);
    if (e?.deleting.delete(podKey)) e.del--;
  }
  /** True when there are none, they are fulfilled, or they expired. */
  satisfied(key: string): boolean {
    const e = this.#m.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.at > EXPECTATIONS_TIMEOUT_MS;
  }
  delete(key: string): void {
    this.#m.delete(key);
  }
  /** [add, del] pending, for specs. */
  pending(key: string): [number, number] | undefined {
    const e = this.#m.get(key);
    return e ? [e.add, e.del] : undefined;
  }
}
