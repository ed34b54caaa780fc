/**
 * One exec / attach session on the kubelet's side of the bus (bus/catalogue/streams.ts):
 * the Node streams a runtime writes to and reads from, backed by bus messages with
 * credit-based flow control.
 *
 * - Output (`stdout`, `stderr`): a write goes out as `kubelet.stream-data` only while the
 *   asker's credit lasts; past it the write waits, so the Writable's buffer fills, `write()`
 *   returns false and a runtime that pipes (`child.stdout.pipe(io.stdout)`) stops reading its
 *   process. Memory per session: the window on the wire plus the streams' high-water marks.
 * - Input (`stdin`): data is queued as it arrives and pushed into the Readable as the runtime
 *   reads it; each push is acknowledged with `kubelet.stream-credit`, so the asker (which
 *   never exceeds the window it was given) cannot outrun a process that does not read.
 */
import { Readable, Writable } from 'node:stream';
import type { TerminalSize } from '../runtime/runtime.ts';
import { finished } from '../runtime/stream-io.ts';

/** The largest data message; bigger writes are split (keeps NATS messages well under its 1 MiB limit). */
export const MAX_STREAM_FRAME = 64 * 1024;

export interface SessionWire {
  data(channel: number, data: Uint8Array): void;
  credit(bytes: number): void;
}

export class StreamSession {
  /** Output bytes the asker still accepts. */
  #credit: number;
  readonly #creditWaiters: Array<() => void> = [];
  readonly #input: Array<Buffer | null> = [];
  #wantsInput = false;
  readonly #resize: Array<(s: TerminalSize) => void> = [];
  /** The last size the asker sent: a runtime that listens after it arrived still starts at it. */
  #size: TerminalSize | undefined;
  #cancelled = false;
  readonly stdin: Readable | undefined;
  readonly stdout: Writable | undefined;
  readonly stderr: Writable | undefined;

  constructor(private readonly wire: SessionWire, window: number, open: { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }) {
    this.#credit = window;
    this.stdin = open.stdin ? new Readable({ read: () => this.#pump(true) }) : undefined;
    this.stdout = open.stdout ? this.#output(1) : undefined;
    this.stderr = open.stderr && !open.tty ? this.#output(2) : undefined;
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** The asker consumed `bytes` of output. */
  grant(bytes: number): void {
    this.#credit += bytes;
    while (this.#credit > 0 && this.#creditWaiters.length > 0) this.#creditWaiters.shift()!();
  }

  /** Stdin bytes from the asker. */
  input(data: Uint8Array): void {
    if (!this.stdin || this.#cancelled) return;
    this.#input.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.#pump(false);
  }

  /** The client closed stdin. */
  closeInput(): void {
    if (!this.stdin || this.#cancelled) return;
    this.#input.push(null);
    this.#pump(false);
  }

  resize(size: TerminalSize): void {
    this.#size = size;
    for (const l of this.#resize) l(size);
  }

  /** Calls `listener` with each size from now on, and at once with the last one already sent (kubectl sends its first size as soon as the stream opens, before a runtime may listen). */
  onResize = (listener: (size: TerminalSize) => void): void => {
    this.#resize.push(listener);
    if (this.#size) listener(this.#size);
  };

  /** The asker went away: every stream is destroyed, so the runtime stops what it runs for it. */
  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    for (const w of this.#creditWaiters.splice(0)) w();
    for (const s of [this.stdin, this.stdout, this.stderr]) s?.destroy();
  }

  /** Resolves when both outputs have flushed everything written (or were destroyed). */
  async flushed(): Promise<void> {
    await Promise.all([this.stdout, this.stderr].map((w) => (w ? finished(w) : undefined)));
  }

  #pump(asked: boolean): void {
    if (asked) this.#wantsInput = true;
    while (this.#wantsInput && this.#input.length > 0) {
      const chunk = this.#input.shift()!;
      if (chunk === null) {
        this.stdin!.push(null);
        return;
      }
      this.wire.credit(chunk.length);
      this.#wantsInput = this.stdin!.push(chunk);
    }
  }

  #output(channel: number): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => void this.#send(channel, chunk).then(() => cb(), cb),
    });
  }

  async #send(channel: number, chunk: Buffer): Promise<void> {
    let rest = chunk;
    while (rest.length > 0 && !this.#cancelled) {
      if (this.#credit <= 0) {
        await new Promise<void>((res) => this.#creditWaiters.push(res));
        continue;
      }
      const n = Math.min(this.#credit, rest.length, MAX_STREAM_FRAME);
      this.#credit -= n;
      this.wire.data(channel, rest.subarray(0, n));
      rest = rest.subarray(n);
    }
  }
}
