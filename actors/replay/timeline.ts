import { rfc3339Nano } from '../../api/time.ts';
import { brief } from './diff.ts';
import { globMatcher } from './glob.ts';
import type { Positioned } from './merge.ts';

export interface TimelineFilter {
  /** Glob over the addresses an entry involves (from, to, actor, address). */
  actor?: string;
  /** Glob over the entry's type: the message type, the received event's type, `timer`, `start`, `stop`, `error`, `snapshot`, `out.<effect>`. */
  type?: string;
  /** Positions, inclusive. */
  from?: number;
  to?: number;
}

/** The type an entry is filtered and shown by. */
export function typeOf(e: Positioned): string {
  switch (e.kind) {
    case 'msg': return e.type;
    case 'event': return e.event.type;
    case 'out': return `out.${e.action ?? e.to ?? ''}`;
    default: return e.kind;
  }
}

/** The addresses an entry involves. */
export function actorsOf(e: Positioned): string[] {
  switch (e.kind) {
    case 'msg': return [e.from, e.to];
    case 'start': case 'stop': case 'error': return [e.address];
    case 'timer': return e.actor === undefined ? [] : [e.actor];
    case 'event': case 'out': case 'snapshot': case 'clock': return [e.actor];
  }
}

/** The entries a filter keeps, in order. */
export function filterTimeline(entries: readonly Positioned[], f: TimelineFilter): Positioned[] {
  const actor = globMatcher(f.actor), type = globMatcher(f.type);
  const all = f.actor === undefined;
  return entries.filter(
    (e) => (f.from === undefined || e.i >= f.from) && (f.to === undefined || e.i <= f.to) && type(typeOf(e)) && (all || actorsOf(e).some(actor)),
  );
}

/** `HH:MM:SS.mmm` in UTC. */
const clock = (at: number): string => rfc3339Nano(at).slice(11, 23);

/** One readable line: time, seq, who → whom, type, a short summary. */
export function formatEntry(e: Positioned): string {
  const head = `${clock(e.at)} ${String(e.i).padStart(6)}`;
  switch (e.kind) {
    case 'msg':
      return `${head}  ${e.from} → ${e.to}  ${e.type}${e.corr ? ` [${e.corr}]` : ''}  ${brief(e.payload, 100)}`;
    case 'timer':
      return `${head}  ⏱ ${e.actor ?? '(host/bus)'}  timer${e.timer === undefined ? '' : ` #${e.timer}`}${e.event ? ` ${e.event}` : ''}`;
    case 'start':
      return `${head}  ▶ ${e.address}  ${e.restarts ? `restart #${e.restarts}` : 'start'} ${e.machine}${e.seed === undefined ? '' : ` seed=${e.seed}`}${e.input === undefined ? '' : `  ${brief(e.input, 80)}`}`;
    case 'stop':
      return `${head}  ■ ${e.address}  stop (${e.reason})`;
    case 'error':
      return `${head}  ✖ ${e.address}  error: ${e.error} (restart in ${e.restartInMs} ms)`;
    case 'event':
      return `${head}  → ${e.actor}  ${e.event.type}  ${brief(e.event, 100)}`;
    case 'out':
      return `${head}  ${e.actor} ⇒ ${e.action ? `effect ${e.action}` : `child ${e.to}`}  ${brief(e.data, 100)}`;
    case 'snapshot':
      return `${head}  ◆ ${e.actor}  snapshot  ${brief(e.snapshot, 100)}`;
    case 'clock':
      return `${head}  🕓 ${e.actor}  clock offset ${e.offset} ms`;
  }
}

/** The JSON line of an entry (`--json`). */
export const entryJson = (e: Positioned): string => JSON.stringify(e, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));
