/**
 * What this controller last wrote, per Service (pkg/controller/endpointslice's
 * endpointSliceTracker): a sync on a cache that has not yet seen those writes would plan
 * from stale slices and create duplicates, so it waits until the informer caught up.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

type Expected = Map<string, number | 'deleted'>;

export class SliceTracker {
  readonly #byService = new Map<string, Expected>();

  /** Remembers a created or updated slice (by name and resourceVersion). */
  written(service: string, slice: EndpointSlice): void {
    this.#of(service).set(slice.metadata?.name ?? '', Number(slice.metadata?.resourceVersion ?? 0));
  }

  deleted(service: string, name: string): void {
    this.#of(service).set(name, 'deleted');
  }

  /** True when `cached` (the informer's slices of the Service) reflects every remembered write; forgets those it does. */
  caughtUp(service: string, cached: readonly EndpointSlice[]): boolean {
    const exp = this.#byService.get(service);
    if (!exp) return true;
    for (const [name, want] of exp) {
      const got = cached.find((s) => s.metadata?.name === name);
      const ok = want === 'deleted' ? got === undefined : got !== undefined && Number(got.metadata?.resourceVersion ?? 0) >= want;
      if (ok) exp.delete(name);
    }
    if (exp.size === 0) this.#byService.delete(service);
    return exp.size === 0;
  }

  forget(service: string): void {
    this.#byService.delete(service);
  }

  #of(service: string): Expected {
    let e = this.#byService.get(service);
    if (!e) this.#byService.set(service, (e = new Map()));
    return e;
  }
}
