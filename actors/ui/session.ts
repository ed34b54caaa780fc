/**
 * One browser tab's session on the UI server: what it shows (the cluster windows, one
 * actor, a message filter) and the pushes that keep it current. Cluster frames are
 * throttled (at most one per `frameMs`, and only when the model moved), so a scale of
 * thousands of pods costs a tab a few frames a second, not one per watch event.
 */
import { badRequest, internalError, notFound, type Status } from '../../base/status.ts';
import { globMatcher } from '../replay/glob.ts';
import type { Push, Reply, RequestFrame } from './protocol.ts';
import type { ClusterList, MessageRow, UiSource, Window } from './source.ts';

const LISTS: ReadonlySet<string> = new Set(['nodes', 'workloads', 'services', 'events']);
/** Rows a window may ask for at once (a virtualized list shows a screenful). */
export const MAX_WINDOW = 500;

type Frame = Reply | Push;

export class Session {
  readonly #windows = new Map<string, () => Window<unknown>>();
  #actor: { address: string; off: (() => void) | undefined } | undefined;
  #filter: { actors?: string; types?: string; limit: number; match: (m: MessageRow) => boolean } | undefined;
  #pending: MessageRow[] = [];
  #msgTimer: ReturnType<typeof setTimeout> | undefined;
  #frameTimer: ReturnType<typeof setTimeout> | undefined;
  #lastRev = -1;
  #lastFrame = 0;
  readonly #offs: (() => void)[] = [];
  #listening = false;

  constructor(readonly source: UiSource, readonly send: (f: Frame) => void, readonly frameMs: number) {
    this.#offs.push(source.cluster.onChange(() => this.#scheduleFrame()));
    if (source.replay) this.#offs.push(source.replay.onPosition((position) => this.#moved(position)));
  }

  async receive(text: string): Promise<void> {
    let req: RequestFrame;
    try {
      req = JSON.parse(text) as RequestFrame;
      if (typeof req !== 'object' || req === null || typeof req.id !== 'number' || typeof req.op !== 'string') throw new Error('not a request');
    } catch {
      return this.send({ id: -1, error: badRequest('malformed request: want {"id": number, "op": string, …}') });
    }
    try {
      const result = await this.#handle(req);
      this.send({ id: req.id, result });
    } catch (err) {
      const s = (err as { status?: Status }).status;
      this.send({ id: req.id, error: s ?? internalError(err instanceof Error ? err.message : String(err)) });
    }
  }

  close(): void {
    for (const off of this.#offs.splice(0)) off();
    this.#actor?.off?.();
    this.#actor = undefined;
    clearTimeout(this.#msgTimer);
    clearTimeout(this.#frameTimer);
  }

  async #handle(req: RequestFrame): Promise<unknown> {
    const { cluster, actors, messages, replay } = this.source;
    switch (req.op) {
      case 'hello':
        return {
          mode: this.source.mode,
          title: this.source.title,
          summary: cluster.summary(),
          ...(replay ? { range: replay.range(), position: replay.position(), divergences: replay.divergences() } : {}),
        };
      case 'window': {
        if (!LISTS.has(req.list)) throw fault(badRequest(`unknown list "${String(req.list)}": want nodes, workloads, services or events`));
        const q = { offset: int(req.offset), limit: Math.min(int(req.limit), MAX_WINDOW), ...(req.filter ? { filter: String(req.filter) } : {}) };
        const get = () => cluster.window(req.list as ClusterList, q);
        this.#windows.set(req.list, get);
        return get();
      }
      case 'pods': {
        for (const k of this.#windows.keys()) if (k.startsWith('pods:')) this.#windows.delete(k);
        if (req.node === null) return null;
        const q = { offset: int(req.offset), limit: Math.min(int(req.limit), MAX_WINDOW) };
        const get = () => cluster.pods(String(req.node), q);
        this.#windows.set(`pods:${req.node}`, get);
        return get();
      }
      case 'actors':
        return actors.list({ ...(req.select ? { select: String(req.select) } : {}), offset: int(req.offset ?? 0), limit: Math.min(int(req.limit ?? 500), MAX_WINDOW) });
      case 'actor':
        return this.#openActor(req.address);
      case 'messages': {
        const limit = Math.min(int(req.limit ?? 300), 2000);
        const a = req.actors ? globMatcher(req.actors) : undefined, t = req.types ? globMatcher(req.types) : undefined;
        this.#filter = { ...(req.actors ? { actors: req.actors } : {}), ...(req.types ? { types: req.types } : {}), limit, match: (m) => (!a || a(m.from) || a(m.to)) && (!t || t(m.type)) };
        this.#pending = [];
        // Listening only from the first message query: rows are made for listeners, and a tab that never opens the message view needs none.
        if (!this.#listening) this.#offs.push(messages.onMessage((m) => this.#message(m)));
        this.#listening = true;
        return messages.query({ ...(req.actors ? { actors: req.actors } : {}), ...(req.types ? { types: req.types } : {}), limit });
      }
      case 'payload': {
        const p = messages.payload(int(req.seq));
        if (p === undefined) throw fault(notFound('messages', String(req.seq)));
        return p;
      }
      case 'seek': case 'step': case 'play': case 'pause': {
        if (!replay) throw fault(badRequest(`${req.op}: this UI shows a live cluster, not a recording`));
        if (req.op === 'seek') {
          if (req.seq === undefined && req.at === undefined) throw fault(badRequest('seek: want seq or at'));
          return replay.seek(req.seq !== undefined ? { seq: int(req.seq) } : { at: Number(req.at) });
        }
        if (req.op === 'step') return replay.step(Math.trunc(Number(req.delta)) || 1);
        if (req.op === 'play') {
          const speed = Number(req.speed);
          if (!(speed > 0)) throw fault(badRequest(`play: speed must be a positive number, got ${JSON.stringify(req.speed)}`));
          replay.play(speed);
        } else replay.pause();
        return replay.position();
      }
      default:
        throw fault(badRequest(`unknown op "${String((req as { op: unknown }).op)}"`));
    }
  }

  #openActor(address: string | null): unknown {
    this.#actor?.off?.();
    this.#actor = undefined;
    if (address === null) return null;
    const { actors } = this.source;
    const state = actors.state(address);
    if (state === undefined) throw fault(notFound('actors', address));
    const off = actors.watch(address, (update) => this.send({ push: 'actor', update }));
    this.#actor = { address, off };
    return { definition: actors.definition(address), state, events: actors.events(address) };
  }

  #message(m: MessageRow): void {
    if (!this.#filter?.match(m)) return;
    this.#pending.push(m);
    if (this.#pending.length > this.#filter.limit) this.#pending.splice(0, this.#pending.length - this.#filter.limit);
    this.#msgTimer ??= setTimeout(() => {
      this.#msgTimer = undefined;
      const rows = this.#pending;
      this.#pending = [];
      if (rows.length) this.send({ push: 'messages', rows });
    }, 100);
  }

  /** A replay moved: the tab gets the position, then everything it shows at the new point. */
  #moved(position: import('./source.ts').ReplayPosition): void {
    this.send({ push: 'position', position });
    if (this.#filter) {
      const { actors, types, limit } = this.#filter;
      this.#pending = [];
      this.send({ push: 'messages', reset: true, rows: this.source.messages.query({ ...(actors ? { actors } : {}), ...(types ? { types } : {}), limit }) });
    }
    if (this.#actor) {
      const state = this.source.actors.state(this.#actor.address);
      if (state) this.send({ push: 'actor', update: { type: 'state', state }, events: this.source.actors.events(this.#actor.address) });
    }
    this.#scheduleFrame();
  }

  /**
   * A frame now if the last one is `frameMs` old, else one timer for the trailing edge. Sent
   * from the change itself when due: a busy cluster keeps the event loop in microtasks (the
   * in-process bus drains there), where a timer would wait until the burst ends.
   */
  #scheduleFrame(): void {
    const wait = this.#lastFrame + this.frameMs - Date.now();
    if (wait <= 0) {
      clearTimeout(this.#frameTimer);
      this.#frameTimer = undefined;
      return this.#frame();
    }
    this.#frameTimer ??= setTimeout(() => {
      this.#frameTimer = undefined;
      this.#frame();
    }, wait);
  }

  #frame(): void {
    const summary = this.source.cluster.summary();
    if (summary.rev === this.#lastRev && this.source.mode === 'live') return;
    this.#lastRev = summary.rev;
    this.#lastFrame = Date.now();
    const windows: Record<string, Window<unknown>> = {};
    for (const [k, get] of this.#windows) windows[k] = get();
    this.send({ push: 'cluster', summary, windows });
  }
}

const fault = (status: Status): Error & { status: Status } => Object.assign(new Error(status.message), { status });
const int = (x: unknown): number => {
  const n = Math.trunc(Number(x));
  return Number.isFinite(n) && n >= 0 ? n : 0;
};
