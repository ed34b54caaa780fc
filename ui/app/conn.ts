import type { Push, Reply, Request } from '../../actors/ui/protocol.ts';

/** The tab's WebSocket to the UI server: requests with promises, pushes to a handler. */
export class Conn {
  #ws: WebSocket;
  #id = 0;
  readonly #waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly #open: Promise<void>;
  /** Frames received (the bench and the page's footer read it). */
  frames = 0;

  constructor(url: string, readonly onPush: (p: Push) => void, onClose: () => void) {
    this.#ws = new WebSocket(url);
    this.#open = new Promise((resolve, reject) => {
      this.#ws.onopen = () => resolve();
      this.#ws.onerror = () => reject(new Error('WebSocket failed'));
    });
    this.#ws.onclose = onClose;
    this.#ws.onmessage = (ev) => {
      this.frames++;
      const f = JSON.parse(String(ev.data)) as Reply | Push;
      if ('push' in f) return this.onPush(f);
      const w = this.#waiting.get(f.id);
      if (!w) return;
      this.#waiting.delete(f.id);
      if ('error' in f) w.reject(Object.assign(new Error(f.error.message), { status: f.error }));
      else w.resolve(f.result);
    };
  }

  async call<T>(req: Request): Promise<T> {
    await this.#open;
    const id = ++this.#id;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#ws.send(JSON.stringify({ ...req, id }));
    });
  }
}
