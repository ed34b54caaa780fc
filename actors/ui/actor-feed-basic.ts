/**
 * A minimal ActorSource over an ActorHost's actors, used until uichart's actor-feed.ts is
 * wired in: the host's addresses, a machine's definition (definitionJson), its snapshot
 * with the context redacted, and — only while a tab watches it — its events, through
 * inspection attached to that actor's own system (each hosted actor is a root with its own
 * system, so nothing else is inspected).
 */
import type { AnyActorRef, InspectionEvent, Subscription } from 'xstate';
import { definitionJson } from '../../ui/chart/model.ts';
import type { ActorHost } from '../host.ts';
import { safeJson, sanitize } from '../inspect/sanitize.ts';
import { globMatcher } from '../replay/glob.ts';
import type { ActorEvent, ActorInfo, ActorListQuery, ActorSource, ActorState, ActorUpdate, MachineDefinitionJson, Window } from './source.ts';

/** A context larger than this (as JSON) is shown by its keys only. */
const CONTEXT_MAX = 256 * 1024;
const EVENTS_KEPT = 100;

const activeIds = (snap: { _nodes?: readonly { id: string }[] } | undefined): string[] => (snap?._nodes ?? []).map((n) => n.id);

function contextView(context: unknown): unknown {
  const json = safeJson(sanitize(context));
  if (json === undefined) return undefined;
  if (json.length <= CONTEXT_MAX) return JSON.parse(json) as unknown;
  const keys = typeof context === 'object' && context !== null ? Object.keys(context) : [];
  return { '(too large to show)': `${json.length} bytes`, keys };
}

export function basicActorFeed(host: ActorHost, now: () => number): ActorSource & { close(): void } {
  const events = new Map<string, ActorEvent[]>();
  const watchers = new Map<string, Set<(u: ActorUpdate) => void>>();
  const attached = new Map<string, Subscription[]>();

  const state = (address: string): ActorState | undefined => {
    const a = host.get(address);
    if (a === undefined) return undefined;
    const s = a.snapshot as { status?: string; value?: unknown; context?: unknown; _nodes?: { id: string }[] } | undefined;
    return { address, status: s?.status ?? 'stopped', value: s?.value ?? null, context: contextView(s?.context), active: activeIds(s), at: now() };
  };
  const emit = (address: string, u: ActorUpdate): void => {
    for (const l of watchers.get(address) ?? []) l(u);
  };
  const attach = (address: string, ref: AnyActorRef | undefined): void => {
    for (const s of attached.get(address) ?? []) s.unsubscribe();
    if (ref === undefined) return void attached.delete(address);
    let last: ActorEvent | undefined;
    const subs: Subscription[] = [
      ref.system.inspect((ev: InspectionEvent) => {
        if (ev.type !== '@xstate.event' || ev.actorRef !== ref) return;
        const e = ev.event as { type: string; seq?: number; at?: number; payload?: unknown };
        last = { at: now(), ...(typeof e.seq === 'number' ? { seq: e.seq } : {}), type: e.type, event: JSON.parse(safeJson(sanitize(e))) as unknown };
        const list = events.get(address) ?? [];
        list.push(last);
        if (list.length > EVENTS_KEPT) list.splice(0, list.length - EVENTS_KEPT);
        events.set(address, list);
      }),
      ref.subscribe({
        next: () => {
          const st = state(address);
          if (st) emit(address, { type: 'state', state: st, ...(last ? { event: last } : {}) });
          last = undefined;
        },
        error: () => {},
      }),
    ];
    attached.set(address, subs);
  };
  const off = host.onLifecycle((e) => {
    if (!watchers.has(e.address)) return;
    if (e.type === 'start' || e.type === 'restart') queueMicrotask(() => attach(e.address, e.ref));
    if (e.type === 'stop') emit(e.address, { type: 'gone', address: e.address });
  });

  return {
    list(q: ActorListQuery = {}): Window<ActorInfo> {
      const match = globMatcher(q.select);
      const all = host.list().filter(match).sort();
      const offset = q.offset ?? 0, limit = q.limit ?? 500;
      return {
        total: all.length,
        offset,
        rows: all.slice(offset, offset + limit).map((address) => {
          const a = host.get(address);
          const machine = ((a?.ref as { logic?: { id?: string } } | undefined)?.logic)?.id;
          return { address, group: address.split('.')[0]!, state: a?.state ?? 'stopped', ...(machine ? { machine } : {}) };
        }),
      };
    },
    definition(address: string): MachineDefinitionJson | undefined {
      const logic = (host.get(address)?.ref as { logic?: { root?: unknown } } | undefined)?.logic;
      return logic?.root ? definitionJson(logic as { root: unknown }) : undefined;
    },
    state,
    events: (address, limit = 50) => (events.get(address) ?? []).slice(-limit),
    watch(address, listener) {
      const a = host.get(address);
      if (a === undefined) return undefined;
      let set = watchers.get(address);
      if (!set) {
        watchers.set(address, (set = new Set()));
        attach(address, a.ref);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size > 0) return;
        watchers.delete(address);
        attach(address, undefined);
        events.delete(address);
      };
    },
    close() {
      off();
      for (const subs of attached.values()) for (const s of subs) s.unsubscribe();
      attached.clear();
    },
  };
}
