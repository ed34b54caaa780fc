/**
 * What the replay UI reads straight from a recording, without re-running anything: which
 * actors exist at a position, the inputs an actor received, the bus messages, and the
 * store's objects (the kv's watch events). Pure functions over the positioned entries.
 */
import { REPLY } from '../../base/envelope.ts';
import type { JsonObject } from '../../api/json.ts';
import { safeJson, sanitize } from '../inspect/sanitize.ts';
import type { Positioned } from '../replay/merge.ts';
import type { ActorEvent, ActorInfo } from './source.ts';

/** The index of the last entry at or before position `seq` (-1 when none). */
export function indexOf(entries: readonly Positioned[], seq: number): number {
  let lo = 0, hi = entries.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.i <= seq) (found = mid), (lo = mid + 1);
    else hi = mid - 1;
  }
  return found;
}

/** The index of the last entry at or before time `at` (0 when all are later). */
export function indexAt(entries: readonly Positioned[], at: number): number {
  let lo = 0, hi = entries.length - 1, found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.at <= at) (found = mid), (lo = mid + 1);
    else hi = mid - 1;
  }
  return found;
}

/** `controller.replicaset` → `controller`. */
export const groupOf = (address: string): string => address.split('.')[0] ?? address;

/** Every recorded actor as it stands after entry `k`: started, restarting after an error, or stopped. */
export function actorsAt(entries: readonly Positioned[], k: number): Map<string, ActorInfo> {
  const out = new Map<string, ActorInfo>();
  for (let j = 0; j <= k && j < entries.length; j++) {
    const e = entries[j]!;
    if (e.kind === 'start') out.set(e.address, { address: e.address, group: groupOf(e.address), state: 'running', machine: e.machine });
    else if (e.kind === 'error') {
      const a = out.get(e.address);
      if (a) a.state = 'restarting';
    } else if (e.kind === 'stop') {
      const a = out.get(e.address);
      if (a) a.state = 'stopped';
    }
  }
  return out;
}

/** Bigger payloads are shown as a shortened JSON string (an event list stays small). */
export const EVENT_PAYLOAD_MAX = 4096;

/** A value fit for an event list: redacted, plain JSON, and past `max` characters its JSON cut short as a string. */
export function shown(v: unknown, max = EVENT_PAYLOAD_MAX): unknown {
  const json = safeJson(sanitize(v)) as string | undefined;
  if (json === undefined) return undefined;
  return json.length > max ? `${json.slice(0, max - 1)}…` : (JSON.parse(json) as unknown);
}

/**
 * The last `limit` inputs `address` received up to entry `k`, oldest first: bus messages to
 * it (replies included), events handed to it from outside the bus, its timers' firings.
 */
export function eventsOf(entries: readonly Positioned[], k: number, address: string, limit = 50): ActorEvent[] {
  const out: ActorEvent[] = [];
  for (let j = Math.min(k, entries.length - 1); j >= 0 && out.length < limit; j--) {
    const e = entries[j]!;
    if (e.kind === 'msg' && e.to === address) {
      out.push({ at: e.at, seq: e.i, type: e.type, event: { from: e.from, ...(e.corr === undefined ? {} : { corr: e.corr }), payload: shown(e.payload) } });
    } else if (e.kind === 'event' && e.actor === address) {
      out.push({ at: e.at, seq: e.i, type: e.event.type, event: shown(e.event) });
    } else if (e.kind === 'timer' && e.actor === address) {
      out.push({ at: e.at, seq: e.i, type: 'timer', event: { ...(e.timer === undefined ? {} : { timer: e.timer }), ...(e.event === undefined ? {} : { event: e.event }) } });
    }
  }
  return out.reverse();
}

/** A store change as the cluster view's model takes it. */
export interface StoreChange {
  kind: string;
  change: 'add' | 'update' | 'delete';
  object: JsonObject;
}

interface KvItem {
  key: string;
  value?: unknown;
  createRevision?: number;
  modRevision?: number;
}

/**
 * The objects of the store, followed through the log: the apiserver's initial range of the
 * kv (its reply) and the kv's watch events to it (`kv.events`: every put and delete). A
 * replay starts from an empty store, as the recording did.
 */
export class StoreFold {
  readonly objects = new Map<string, JsonObject>();
  /** Correlation ids of `kv.range` requests whose replies list the store. */
  readonly #ranges = new Set<string>();

  /** The changes entry `e` makes to the store (none for most entries). */
  apply(e: Positioned): StoreChange[] {
    if (e.kind !== 'msg') return [];
    if (e.type === 'kv.range' && e.corr !== undefined && e.from === 'apiserver') {
      this.#ranges.add(e.corr);
      return [];
    }
    if (e.type === REPLY && e.corr !== undefined && this.#ranges.delete(e.corr)) {
      const items = (e.payload as { ok?: boolean; value?: { items?: KvItem[] } }).value?.items ?? [];
      return items.flatMap((kv) => this.#put(kv));
    }
    if (e.type !== 'kv.events') return [];
    const events = (e.payload as { events?: { type: string; kv: KvItem; prevKv?: KvItem }[] }).events ?? [];
    return events.flatMap((ev) => (ev.type === 'delete' ? this.#delete(ev.kv, ev.prevKv) : this.#put(ev.kv)));
  }

  #put(kv: KvItem): StoreChange[] {
    const o = kv.value;
    if (typeof o !== 'object' || o === null || typeof (o as { kind?: unknown }).kind !== 'string') return [];
    const had = this.objects.has(kv.key);
    this.objects.set(kv.key, o as JsonObject);
    return [{ kind: (o as { kind: string }).kind, change: had ? 'update' : 'add', object: o as JsonObject }];
  }

  #delete(kv: KvItem, prev: KvItem | undefined): StoreChange[] {
    const o = this.objects.get(kv.key) ?? (kv.value as JsonObject | undefined) ?? (prev?.value as JsonObject | undefined);
    this.objects.delete(kv.key);
    if (typeof o !== 'object' || o === null || typeof o.kind !== 'string') return [];
    return [{ kind: o.kind, change: 'delete', object: o }];
  }
}
