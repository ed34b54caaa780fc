/**
 * Recording core/v1 Events through the apiserver, for every component (scheduler,
 * kubelets, controllers). Like client-go's event correlator, a repeat of the same
 * (involvedObject, type, reason, message) from the same component is not a new Event: the
 * existing one gets count + 1 and a new lastTimestamp. Simplification: client-go also folds
 * many similar events with different messages into one "(combined from similar events)"
 * and rate-limits per object; neither is done here.
 */
import type { KubeObject } from '../bus/catalogue/api.ts';
import type { Port } from '../bus/bus.ts';
import { APISERVER_ADDRESS } from '../bus/permissions.ts';
import type { Result } from '../base/status.ts';
import type { Clock } from '../base/clock.ts';

export type EventType = 'Normal' | 'Warning';

/** Kubernetes' ObjectReference, as Events carry it. */
export interface ObjectReference {
  kind?: string;
  apiVersion?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EventRecorderOptions {
  port: Port;
  clock: Clock;
  /** source.component and reportingComponent: "default-scheduler", "kubelet", "replicaset-controller". */
  component: string;
  /** source.host (kubelets set their node name). */
  host?: string;
  /** reportingInstance; defaults to the port's address. */
  instance?: string;
  /** How many distinct events are remembered for correlation (least recently used go first). */
  cacheSize?: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

/** The reference an Event names, from an object or a reference. */
export function referenceTo(obj: KubeObject | ObjectReference): ObjectReference {
  if ('metadata' in obj && obj.metadata) {
    const m = obj.metadata;
    return { kind: obj.kind as string | undefined, apiVersion: obj.apiVersion as string | undefined, namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
  }
  return obj as ObjectReference;
}

import { rfc3339 } from '../api/time.ts';

export class EventRecorder {
  readonly #seen = new Map<string, Seen>();
  readonly #limit: number;
  #serial = 0;

  constructor(private readonly opts: EventRecorderOptions) {
    this.#limit = opts.cacheSize ?? 4096;
  }

  /** Records an event about `about`; resolves to the stored Event (or the apiserver's Status). */
  async record(about: KubeObject | ObjectReference, type: EventType, reason: string, message: string): Promise<Result<KubeObject>> {
    const ref = referenceTo(about);
    const namespace = ref.namespace || 'default';
    const key = [ref.kind, namespace, ref.name, ref.uid, type, reason, message].join('\u0000');
    const now = rfc3339(this.opts.clock.now());
    const seen = this.#seen.get(key);
    if (seen) {
      this.#seen.delete(key);
      const count = seen.count + 1;
      const r = await this.opts.port.request(APISERVER_ADDRESS, 'api.patch', {
        target: { group: '', version: 'v1', resource: 'events', namespace: seen.namespace, name: seen.name },
        patchType: 'merge',
        patch: { count, lastTimestamp: now },
      });
      if (r.ok) {
        this.#remember(key, { ...seen, count });
        return { ok: true, value: r.value.object };
      }
      if (r.status.code !== 404) return r;
      // The Event expired or was deleted: start a new one.
    }
    // Kubernetes names an Event `<object>.<hex UnixNano>`. Milliseconds times 1e6 is past 2^53, so the
    // nanoseconds are a BigInt, and a per-recorder serial fills the sub-millisecond digits: two events
    // about one object in the same millisecond (Created, Started) must not collide.
    const nanos = BigInt(Math.floor(this.opts.clock.now())) * 1_000_000n + BigInt(this.#serial++ % 1_000_000);
    const name = `${ref.name ?? 'unknown'}.${nanos.toString(16)}`;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.instance ?? this.opts.port.address,
    };
    const r = await this.opts.port.request(APISERVER_ADDRESS, 'api.create', { target: { group: '', version: 'v1', resource: 'events', namespace }, object: event });
    if (!r.ok) return r;
    this.#remember(key, { name, namespace, count: 1 });
    return { ok: true, value: r.value.object };
  }

  #remember(key: string, s: Seen): void {
    this.#seen.set(key, s);
    if (this.#seen.size > this.#limit) this.#seen.delete(this.#seen.keys().next().value!);
  }
}
