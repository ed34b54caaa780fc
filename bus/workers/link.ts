import type { MessagePort } from 'node:worker_threads';
import type { Status } from '../../base/status.ts';

/**
 * What travels on the MessagePort between two threads' buses. An envelope crosses as
 * msgpackr bytes (bus/codec.ts) in a transferable ArrayBuffer, so nothing is structured-
 * cloned but a small header; `to` and `from` ride in the header too, so the main thread can
 * route and check the sender without decoding (the receiver checks that the header and the
 * decoded envelope agree).
 */
export type Frame =
  /** The sending thread now holds (or no longer holds) an address. */
  | { k: 'reg' | 'unreg'; a: string }
  /** The sending thread has a first subscriber (or no longer has any) of a topic. */
  | { k: 'sub' | 'unsub'; t: string }
  /** An envelope to an address: a one-way message, a request, or a reply (`to` is then the requester). */
  | { k: 'env'; m: 'msg' | 'req' | 'reply'; to: string; from: string; corr?: string; buf: ArrayBuffer }
  /** An envelope published to a topic. */
  | { k: 'pub'; to: string; from: string; buf: ArrayBuffer }
  /**
   * The request `corr` of the actor at `to` failed on the way (`nores`: no actor at the
   * address it was sent to, a 503 its bus counts as undeliverable; otherwise a refusal).
   */
  | { k: 'fail'; to: string; corr: string; status: Status; nores: boolean }
  /** The main thread refused what the sending thread asked (an address it may not hold). */
  | { k: 'refused'; a: string; why: string }
  /** flush: the peer answers `pong` with the same id once everything before it is processed. */
  | { k: 'ping' | 'pong'; id: number };

/**
 * One end of a thread-to-thread connection. Frames are batched: everything posted in one
 * turn of the event loop leaves as one `postMessage` (its ArrayBuffers transferred), since
 * a postMessage costs far more than a frame.
 */
export class Link {
  #batch: Frame[] = [];
  #transfer: ArrayBuffer[] = [];
  #scheduled = false;
  #closed = false;
  readonly #onClose: (() => void)[] = [];

  constructor(
    readonly port: MessagePort,
    onFrames: (frames: Frame[]) => void,
  ) {
    port.on('message', (frames: Frame[]) => onFrames(frames));
    port.on('close', () => this.#closedByPeer());
  }

  get closed(): boolean {
    return this.#closed;
  }

  post(frame: Frame): void {
    if (this.#closed) return;
    this.#batch.push(frame);
    if ('buf' in frame) this.#transfer.push(frame.buf);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  /** Called once when the link closes, from either side. */
  onClose(fn: () => void): void {
    this.#onClose.push(fn);
  }

  /** Sends what is batched, then closes the port (the peer sees 'close'). */
  close(): void {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    this.port.close();
    for (const fn of this.#onClose.splice(0)) fn();
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#closed || this.#batch.length === 0) return;
    const batch = this.#batch;
    const transfer = this.#transfer;
    this.#batch = [];
    this.#transfer = [];
    this.port.postMessage(batch, transfer);
  }

  #closedByPeer(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const fn of this.#onClose.splice(0)) fn();
  }
}
