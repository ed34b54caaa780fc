/** A Stately inspection frame as it goes over the socket (the fields the Stately inspector reads). */
export interface StatelyFrame {
  type: '@xstate.actor' | '@xstate.event' | '@xstate.snapshot' | string;
  sessionId: string;
  rootId?: string;
  parentId?: string;
  [k: string]: unknown;
}

/**
 * What a late-connecting client must be told first: for each live actor session its
 * `@xstate.actor` frame and its latest `@xstate.snapshot`. Sessions are grouped by root,
 * so stopping a root actor forgets its children too.
 */
export class SessionTable {
  readonly #actors = new Map<string, { rootId: string; actor: string; snapshot?: string }>();

  /** Notes a frame (already serialized as `json`). */
  note(frame: StatelyFrame, json: string): void {
    if (frame.type === '@xstate.actor') {
      this.#actors.set(frame.sessionId, { rootId: frame.rootId ?? frame.sessionId, actor: json });
    } else if (frame.type === '@xstate.snapshot') {
      const s = this.#actors.get(frame.sessionId);
      if (s) s.snapshot = json;
    }
  }

  /** Forgets a root session and every session under it. */
  forgetRoot(rootId: string): void {
    for (const [id, s] of this.#actors) if (id === rootId || s.rootId === rootId) this.#actors.delete(id);
  }

  /** Frames that bring a new client up to date, actor frames before snapshots. */
  replay(): string[] {
    const all = [...this.#actors.values()];
    return [...all.map((s) => s.actor), ...all.flatMap((s) => (s.snapshot ? [s.snapshot] : []))];
  }

  get size(): number {
    return this.#actors.size;
  }
}

/** The parts of an XState snapshot the inspector shows; the machine and child refs stay out of the frame. */
export function slimSnapshot(s: unknown): unknown {
  if (typeof s !== 'object' || s === null) return s;
  const x = s as Record<string, unknown> & { tags?: Iterable<string> };
  const out: Record<string, unknown> = { status: x.status ?? 'active' };
  for (const k of ['value', 'context', 'output', 'error', 'historyValue'] as const) if (x[k] !== undefined) out[k] = x[k];
  if (x.tags !== undefined) out.tags = [...x.tags];
  if (x.children && typeof x.children === 'object') out.children = Object.fromEntries(Object.keys(x.children).map((k) => [k, { id: k }]));
  return out;
}
