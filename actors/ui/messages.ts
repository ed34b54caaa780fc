/**
 * The message view's store: the last bus messages as rows, their payloads kept by
 * reference (redacted only when one is opened), in a ring. Live, the bus tap fills it
 * (`tapMessages`); a replay pushes the log's `msg` entries up to its position.
 */
import type { Envelope } from '../../base/envelope.ts';
import type { Bus } from '../../bus/bus.ts';
import { Listeners } from '../../bus/listeners.ts';
import { sanitize } from '../inspect/sanitize.ts';
import { brief } from '../replay/diff.ts';
import { globMatcher } from '../replay/glob.ts';
import type { MessageKind, MessageQuery, MessageRow, MessageSource } from './source.ts';

/** Messages kept by default: enough for a scale-up's traffic, small enough to scan per query. */
export const MESSAGES_KEPT = 20_000;

/** The envelope fields a row is made of (a live envelope or a log's `msg` entry). */
export type MessageLike = Pick<Envelope, 'from' | 'to' | 'type' | 'payload' | 'corr' | 'at'>;

export function kindOf(m: MessageLike): MessageKind {
  if (m.type === 'reply') return 'reply';
  if (m.type === 'api.watch-events' || m.type === 'api.watch-ended') return 'watch';
  if (m.to.startsWith('topic.')) return 'publish';
  return m.corr !== undefined ? 'request' : 'send';
}

/** A short summary: `pods default/web-1` for api.*, `200`/`404 NotFound` for replies, `3 events` for watches. */
export function summarize(m: MessageLike): string {
  const p = m.payload as Record<string, unknown> | undefined;
  if (m.type.startsWith('api.') && p && typeof p.target === 'object' && p.target) {
    const t = p.target as { resource?: string; namespace?: string; name?: string; subresource?: string };
    const obj = p.object as { metadata?: { name?: string; generateName?: string } } | undefined;
    const name = t.name ?? obj?.metadata?.name ?? (obj?.metadata?.generateName ? `${obj.metadata.generateName}*` : '');
    return `${t.resource ?? ''}${t.subresource ? `/${t.subresource}` : ''} ${t.namespace ? `${t.namespace}/` : ''}${name}`.trim();
  }
  if (m.type === 'api.watch-events' && p && Array.isArray(p.events)) {
    const evs = p.events as { type: string; object?: { kind?: string; metadata?: { name?: string } } }[];
    return evs.length === 1 ? `${evs[0]!.type} ${evs[0]!.object?.kind ?? ''} ${evs[0]!.object?.metadata?.name ?? ''}`.trim() : `${evs.length} events`;
  }
  if (m.type === 'reply' && p && typeof p === 'object') {
    if (p.ok === false) {
      const e = p.status as { code?: number; reason?: string } | undefined;
      return `${e?.code ?? ''} ${e?.reason ?? 'error'}`.trim();
    }
    return 'ok';
  }
  return brief(sanitize(p), 100);
}

export function messageRow(seq: number, m: MessageLike): MessageRow {
  return { seq, at: m.at, from: m.from, to: m.to, type: m.type, kind: kindOf(m), ...(m.corr !== undefined ? { corr: m.corr } : {}), brief: summarize(m) };
}

/**
 * A ring of the last `capacity` messages with their payloads. A row (with its summary, which
 * walks the payload) is made only when a query or a listener asks for it: a tab on the cluster
 * view asks for none, and a busy cluster sends thousands of messages a second. A push stores
 * the envelope itself, in parallel arrays: nothing is allocated per message.
 */
export class MessageStore implements MessageSource {
  readonly #msgs: (MessageLike | undefined)[];
  readonly #seqs: number[];
  readonly #rows: (MessageRow | undefined)[];
  #next = 0;
  #count = 0;
  readonly #listeners = new Listeners<[MessageRow]>();

  constructor(readonly capacity = MESSAGES_KEPT) {
    this.#msgs = new Array(capacity);
    this.#seqs = new Array(capacity).fill(0);
    this.#rows = new Array(capacity);
  }

  push(seq: number, m: MessageLike): void {
    const j = this.#next;
    this.#msgs[j] = m;
    this.#seqs[j] = seq;
    this.#rows[j] = undefined;
    this.#next = (j + 1) % this.capacity;
    this.#count = Math.min(this.#count + 1, this.capacity);
    if (this.#listeners.size > 0) this.#listeners.emit(this.#row(j));
  }

  /** Forgets everything (a replay seeking back). */
  clear(): void {
    this.#msgs.fill(undefined);
    this.#rows.fill(undefined);
    this.#next = this.#count = 0;
  }

  #row(j: number): MessageRow {
    return (this.#rows[j] ??= messageRow(this.#seqs[j]!, this.#msgs[j]!));
  }

  /** Ring slots oldest first. */
  *#slots(): Generator<number> {
    const start = (this.#next - this.#count + this.capacity) % this.capacity;
    for (let i = 0; i < this.#count; i++) yield (start + i) % this.capacity;
  }

  query(q: MessageQuery): MessageRow[] {
    const actor = q.actors ? globMatcher(q.actors) : undefined;
    const type = q.types ? globMatcher(q.types) : undefined;
    const out: number[] = [];
    for (const j of this.#slots()) {
      const m = this.#msgs[j]!;
      if (q.after !== undefined && this.#seqs[j]! <= q.after) continue;
      if (actor && !actor(m.from) && !actor(m.to)) continue;
      if (type && !type(m.type)) continue;
      out.push(j);
    }
    const limit = q.limit ?? 500;
    return (out.length > limit ? out.slice(out.length - limit) : out).map((j) => this.#row(j));
  }

  payload(seq: number): unknown {
    for (const j of this.#slots()) if (this.#seqs[j] === seq) return sanitize(this.#msgs[j]!.payload);
    return undefined;
  }

  onMessage(listener: (m: MessageRow) => void): () => void {
    return this.#listeners.add(listener);
  }
}

/** A store filled by a bus tap; `stop` removes the tap. */
export function tapMessages(bus: Bus, capacity = MESSAGES_KEPT): { store: MessageStore; stop(): void } {
  const store = new MessageStore(capacity);
  const off = bus.tap((env) => store.push(env.seq, env));
  return { store, stop: off };
}
