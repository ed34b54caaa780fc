import type { AnyActorRef, InspectionEvent } from 'xstate';
import { isEnvelopeShape } from '../../bus/codec.ts';
import { seedFor } from '../random.ts';
import type { ObserveOptions } from '../lifecycle.ts';
import type { NewEntry } from './format.ts';

export type { ObserveOptions };

/** What the recorder lends an event observer. */
export interface ObserveSink {
  append(e: NewEntry): void;
  /** Attributes the timer firing in progress to `address`; false if none is in progress. */
  claim(address: string, event?: string): boolean;
  clean(v: unknown): unknown;
  now(): number;
  seed: number | undefined;
  /** Told each observed root actor once it starts (the recorder checkpoints it at the end). */
  track?(address: string, ref: AnyActorRef): void;
}

/**
 * An XState inspection observer that logs one root actor's inputs and outputs (see
 * `Recorder.observe`). Its inputs: events it receives from outside itself, except bus
 * envelopes (the bus tap logs those) and `xstate.init`; its own delayed events are timer
 * firings. Its outputs: runs of the named effects, and events it sends to its children.
 */
export function eventObserver(address: string, o: ObserveOptions, sink: ObserveSink): (ev: InspectionEvent) => void {
  let root: AnyActorRef | undefined;
  const effects = new Set(o.effects ?? []);
  const { append, clean, now } = sink;
  let started = false;
  const start = (ref: AnyActorRef): void => {
    started = true;
    sink.track?.(address, ref);
    const logic = (ref as AnyActorRef & { logic?: { id?: string } }).logic;
    const seed = o.seed ?? (sink.seed === undefined ? undefined : seedFor(sink.seed, address));
    const e: NewEntry = { kind: 'start', at: now(), address, machine: o.machine ?? logic?.id ?? ref.id, events: true };
    if (o.input !== undefined) e.input = clean(o.input);
    if (seed !== undefined) e.seed = seed;
    append(e);
  };
  return (ev: InspectionEvent) => {
    const target = ev.actorRef as AnyActorRef;
    if (ev.type === '@xstate.actor') {
      if (root === undefined && target._parent === undefined) root = target;
      if (root === target && !started) start(root);
      return;
    }
    if (root === undefined) return;
    if (ev.type === '@xstate.event') {
      const { event } = ev;
      if (target === root) {
        if (event.type === 'xstate.init' || isEnvelopeShape(event)) return;
        if (ev.sourceRef === root && event.type.startsWith('xstate.after')) {
          if (!sink.claim(address, event.type)) append({ kind: 'timer', at: now(), actor: address, event: event.type });
          return;
        }
        if (ev.sourceRef === root) return;
        append({ kind: 'event', at: now(), actor: address, event: clean(event) as { type: string } });
      } else if (ev.sourceRef === root && target._parent === root) {
        append({ kind: 'out', at: now(), actor: address, to: target.id, data: clean(event) });
      }
      return;
    }
    if (ev.type === '@xstate.action' && target === root && effects.has(ev.action.type)) {
      append({ kind: 'out', at: now(), actor: address, action: ev.action.type, data: clean(ev.action.params) });
    }
  };
}
