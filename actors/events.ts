/**
 * Recording core/v1 Events through the apiserver, for every component (scheduler,
 * kubelets, controllers), through client-go's event correlator (event-correlator.ts): a
 * repeat of an Event already written is count + 1 and a new lastTimestamp on it, many
 * similar events with different messages become one "(combined from similar events)"
 * Event, and a spam filter per source and object drops what comes too fast.
 */
import type { Event } from 'kubernetes-types/core/v1.js';
import type { Port } from '../bus/bus.ts';
import type { Result } from '../base/status.ts';
import type { Clock } from '../base/clock.ts';
import { ApiClient, isAlreadyExists, isNotFound, targets } from './client/index.ts';
import { EventCorrelator } from './event-correlator.ts';

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
  /** false: record nothing (every record answers null), as `--kubelet-events=false` asks. */
  enabled?: boolean;
}

interface Seen {
  name: string;
  namespace: string;
}

/** What an Event may be about: any object (typed or not) or a reference. */
export type Involved =
  | ObjectReference
  | { kind?: string; apiVersion?: string; metadata?: { namespace?: string; name?: string; uid?: string; resourceVersion?: string } };

/** The reference an Event names, from an object or a reference. */
export function referenceTo(obj: Involved): ObjectReference {
  if ('metadata' in obj && obj.metadata) {
    const m = obj.metadata;
    return { kind: obj.kind, apiVersion: obj.apiVersion, namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
  }
  return obj as ObjectReference;
}

import { rfc3339 } from '../api/time.ts';

export class EventRecorder {
  /** The Events written, by correlation key. */
  readonly #seen = new Map<string, Seen>();
  readonly #limit: number;
  readonly #correlator: EventCorrelator;
  #serial = 0;

  readonly #api: ApiClient;

  constructor(private readonly opts: EventRecorderOptions) {
    this.#limit = opts.cacheSize ?? 4096;
    this.#api = new ApiClient(opts.port);
    this.#correlator = new EventCorrelator(() => opts.clock.now());
  }

  /**
   * Records an event about `about`; resolves to the stored Event (or the apiserver's Status),
   * or null when the spam filter dropped it.
   */
  async record(about: Involved, type: EventType, reason: string, message: string): Promise<Result<Event | null>> {
    if (this.opts.enabled === false) return { ok: true, value: null };
    const ref = referenceTo(about);
    const namespace = ref.namespace || 'default';
    // The correlator tells events apart by source and involved object, as client-go's keys do. One
    // recorder has one source, and a uid names one object (its namespace and name never change),
    // so the key holds only what can differ: about 60 fewer characters in each of a pod's keys.
    const source = ref.uid ? [ref.kind ?? '', ref.uid, ref.apiVersion ?? ''] : [ref.kind ?? '', namespace, ref.name ?? '', '', ref.apiVersion ?? ''];
    const c = this.#correlator.correlate({ source, type, reason, message });
    if (c.skip) return { ok: true, value: null };
    const now = rfc3339(this.opts.clock.now());
    const seen = c.count > 1 ? this.#seen.get(c.key) : undefined;
    if (seen) {
      this.#seen.delete(c.key);
      const r = await this.#api.patch(targets.events(seen.namespace, seen.name), { count: c.count, message: c.message, lastTimestamp: now });
      if (r.ok) {
        this.#remember(c.key, seen);
        return { ok: true, value: r.value.object };
      }
      if (!isNotFound(r)) return r;
      // The Event expired or was deleted: start a new one.
      this.#correlator.forget(c.key);
    }
    // Kubernetes names an Event `<object>.<hex UnixNano>`. Milliseconds times 1e6 is past 2^53, so the
    // nanoseconds are a BigInt, and a per-recorder serial fills the sub-millisecond digits: two events
    // about one object in the same millisecond (Created, Started) must not collide.
    // Two recorders (two controllers) may both name an event about one object in one millisecond: the
    // second create is AlreadyExists, and takes the next serial, as a later nanosecond would be.
    for (let attempt = 0; ; attempt++) {
      const r = await this.#create(ref, namespace, type, reason, c.message, now, c.count);
      if (r.ok) {
        this.#remember(c.key, { name: r.value.metadata!.name!, namespace });
        return r;
      }
      if (!isAlreadyExists(r) || attempt === 2) return r;
    }
  }

  async #create(ref: ObjectReference, namespace: string, type: EventType, reason: string, message: string, now: string, count: number): Promise<Result<Event>> {
    const nanos = BigInt(Math.floor(this.opts.clock.now())) * 1_000_000n + BigInt(this.#serial++ % 1_000_000);
    const name = `${ref.name ?? 'unknown'}.${nanos.toString(16)}`;
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      count,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.instance ?? this.opts.port.address,
    };
    const r = await this.#api.create(targets.events(namespace), event);
    return r.ok ? { ok: true, value: r.value.object } : r;
  }

  #remember(key: string, s: Seen): void {
    this.#seen.set(key, s);
    if (this.#seen.size > this.#limit) this.#seen.delete(this.#seen.keys().next().value!);
  }
}
