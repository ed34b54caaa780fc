import { REPLY } from '../../base/envelope.ts';
import type { SentMessage } from './port.ts';

/** Messages carrying a watch's events in batches; where a batch ends follows timing (group commit, drains), not behaviour. */
const WATCH_BATCHES = new Set(['api.watch-events', 'kv.events']);
const WATCH_ENDS = new Set(['api.watch-ended', 'kv.watch-ended']);

const watchId = (out: SentMessage): unknown => (out.payload as { id?: unknown } | null)?.id;

/**
 * The stream a bus output is compared in (see ActorReplay): each request and each reply on
 * its own (by correlation id: the replay gives a request the id of the recorded request
 * with its content), each watch's events in order, anything else in order per receiver.
 * What a receiver is told on each of these is behaviour; how they interleave follows the
 * promise scheduling of the run, which a replay reproduces closely but not exactly.
 */
export function outputStream(out: SentMessage): string {
  if (out.type === REPLY) return `reply ${out.corr}`;
  if (out.corr !== undefined) return `request ${out.corr}`;
  if (WATCH_BATCHES.has(out.type) || WATCH_ENDS.has(out.type)) return `watch ${out.to} ${String(watchId(out))}`;
  return `to ${out.to}`;
}

/** The items a bus output is compared as: a watch batch as its events, one by one; anything else whole. */
export function outputItems(out: SentMessage): unknown[] {
  if (!WATCH_BATCHES.has(out.type)) return [out];
  const events = (out.payload as { events?: unknown[] } | null)?.events ?? [];
  return events.map((event) => ({ to: out.to, type: out.type, id: watchId(out), event }));
}
