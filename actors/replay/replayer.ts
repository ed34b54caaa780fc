import { createCodec, STRUCTURES_V1 } from '../../bus/codec.ts';
import { REPLY } from '../../bus/envelope.ts';
import type { Inspect } from '../lifecycle.ts';
import type { LogHeader } from '../record/format.ts';
import { redact } from '../record/redact.ts';
import { ActorReplay } from './actor-replay.ts';
import type { Divergence } from './divergence.ts';
import type { Positioned } from './merge.ts';
import type { ReplayRegistry } from './registry.ts';

export interface ReplayOptions {
  registry: ReplayRegistry;
  /** The log's header (structures table for normalizing outputs, whether secrets were redacted). */
  header: LogHeader | undefined;
  /** Actors to replay; default all. */
  select?: (address: string) => boolean;
  /** Stop right after the entry at this position (`--at`). */
  upTo?: number;
  /** Inspection for a replayed actor (the inspector bridge). */
  inspect?: (address: string) => Inspect | undefined;
  /** Awaited before each entry is fed (pacing for `--speed`). */
  pace?: (entry: Positioned, previous: Positioned | undefined) => Promise<void>;
}

export interface ReplayResult {
  /** Replayed actors by address (the last incarnation of each). */
  actors: Map<string, ActorReplay>;
  /** Recorded actors whose machine has no registry entry. */
  skipped: { address: string; machine: string }[];
  /** One per diverging actor, earliest first. */
  divergences: Divergence[];
  /** Outputs compared and found equal. */
  matched: number;
  entries: number;
}

/**
 * Walks a log in order and re-runs every selected actor whose machine the registry
 * knows, feeding each its recorded inputs and matching its outputs (see ActorReplay).
 * Each entry is fed, then the event loop is given one turn so effects that answer
 * through promises (the kv store) have produced their outputs before the next input.
 */
export async function runReplay(entries: readonly Positioned[], opts: ReplayOptions): Promise<ReplayResult> {
  const codec = createCodec(opts.header?.structures ?? STRUCTURES_V1);
  const secrets = opts.header?.secrets ?? false;
  const normalize = (v: unknown): unknown => {
    const round = codec.decode(codec.encode(v));
    return secrets ? round : redact(round);
  };
  const select = opts.select ?? (() => true);
  const actors = new Map<string, ActorReplay>();
  const skipped = new Map<string, string>();
  const live = (a: string | undefined): ActorReplay | undefined => (a === undefined ? undefined : actors.get(a));
  let previous: Positioned | undefined;
  let fed = 0;
  for (const e of entries) {
    if (opts.upTo !== undefined && e.i > opts.upTo) break;
    await opts.pace?.(e, previous);
    previous = e;
    fed++;
    switch (e.kind) {
      case 'start': {
        if (!select(e.address)) break;
        const existing = actors.get(e.address);
        if (existing) {
          existing.start(e);
          break;
        }
        const def = opts.registry.get(e.machine);
        if (def === undefined) {
          skipped.set(e.address, e.machine);
          break;
        }
        actors.set(e.address, new ActorReplay(e.address, def, e, e.events === true, normalize, opts.inspect?.(e.address)));
        break;
      }
      case 'stop':
        live(e.address)?.stop();
        break;
      case 'msg': {
        live(e.from)?.expect(e);
        if (e.type === REPLY) live(e.to)?.reply(e);
        else {
          const to = live(e.to);
          if (to) to.deliver(e);
          else for (const a of actors.values()) if (a.port.topics.has(e.to)) a.deliver(e);
        }
        break;
      }
      case 'timer':
        live(e.actor)?.timer(e);
        break;
      case 'event':
        live(e.actor)?.event(e);
        break;
      case 'out':
        live(e.actor)?.expect(e);
        break;
      case 'error':
        break;
    }
    await new Promise((r) => setImmediate(r));
    for (const a of actors.values()) a.check(false);
  }
  const divergences: Divergence[] = [];
  let matched = 0;
  for (const a of actors.values()) {
    // Up to a position, outputs still to come are not missing.
    const d = a.check(opts.upTo === undefined);
    matched += a.matched;
    if (d) divergences.push(d);
  }
  divergences.sort((a, b) => a.i - b.i);
  return { actors, skipped: [...skipped].map(([address, machine]) => ({ address, machine })), divergences, matched, entries: fed };
}
