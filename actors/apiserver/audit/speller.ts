/**
 * Where audit lines are spelled out: the fragments and templates by number, and the chunks the
 * lines' bytes go into, newline included. Lines go one after another into chunks of
 * LINE_CHUNK_BYTES; a speller that `retains` them never writes over a line it handed on (a full
 * chunk is left as it is and a new one begun), so the file log queues them where they are
 * instead of copying each one (a Buffer#copy a line was 0.9 % of density's main thread audited);
 * otherwise each line is put at the chunk's start.
 *
 * Two spell with it: the log's writer reading the request path's instructions (wire.ts's
 * AuditDecoder), and — where the apiserver's own thread writes the log — the request path itself
 * (direct.ts), with no instructions in between.
 */
import { microTime } from '../../../api/time.ts';

/** '0'-'9', 'a'-'f' as bytes. */
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/** From this length a whole piece is copied by TypedArray#set (a call without a view made) rather than byte by byte. */
const WHOLE_SET_BYTES = 24;

/** A quoted RFC 3339 time with microseconds: `"2006-01-02T15:04:05.000000Z"`. */
const TIME_BYTES = 29;

/** The chunks of finished lines (the file log writes them as they are). */
const LINE_CHUNK_BYTES = 256 * 1024;

/** Receives a finished line: `bytes[start, end)`, valid for good when the speller retains lines, else until it returns. */
export type LineSink = (bytes: Buffer, start: number, end: number) => void;

export class LineSpeller {
  protected readonly fragments: Buffer[] = [];
  /** The templates among them, by number: their text between the holes, and each hole's letter. */
  protected readonly templates: (Buffer | number)[][] = [];
  protected out = Buffer.allocUnsafeSlow(LINE_CHUNK_BYTES);
  /** Where the line being put together begins in `out`. */
  protected start = 0;
  /** Counts the chunks begun: a position in `out` is only good in the chunk it was taken in. */
  protected chunks = 0;
  readonly #retain: boolean;

  /** `retain`: lines handed on stay valid (their bytes are never written again). */
  constructor(retain: boolean) {
    this.#retain = retain;
  }

  /** Fragment `id` is `bytes`; one with holes (NUL and a letter) is a template too. */
  protected define(id: number, bytes: Buffer): void {
    this.fragments[id] = bytes;
    if (!bytes.includes(0)) return;
    const parts: (Buffer | number)[] = [];
    let from = 0;
    for (let at = bytes.indexOf(0); at >= 0; at = bytes.indexOf(0, from)) {
      if (at > from) parts.push(bytes.subarray(from, at));
      parts.push(bytes[at + 1]!);
      from = at + 2;
    }
    if (from < bytes.length) parts.push(bytes.subarray(from));
    this.templates[id] = parts;
  }

  /** Hands on the line ending at `n`; returns where the next one begins. */
  protected endLine(n: number, line: LineSink): number {
    line(this.out, this.start, n);
    if (!this.#retain) n = 0;
    this.start = n;
    return n;
  }

  /** The second whose RFC 3339 prefix (`"2006-01-02T15:04:05.`, quote included) #timePrefix holds. */
  #timeSecs = Number.NaN;
  #timePrefix = Buffer.alloc(0);
  /** The last time written and its quoted text: a turn's lines share their times (the clock reads once a turn). */
  #timeMs = Number.NaN;
  readonly #timeText = Buffer.alloc(TIME_BYTES);

  /** The quoted time of `ms` at `n`, as `"${microTime(ms)}"` (the times of one second share their prefix: only the digits are written). */
  protected spellTime(ms: number, n: number): number {
    if (ms === this.#timeMs) return this.spellWhole(this.#timeText, n);
    const micros = Math.floor(ms * 1000);
    const secs = Math.floor(micros / 1e6);
    if (secs !== this.#timeSecs) {
      const t = microTime(ms);
      this.#timeSecs = secs;
      this.#timePrefix = Buffer.from(`"${t.slice(0, t.length - 7)}`, 'latin1');
    }
    // Room for all of it first: the prefix and the digits then go into one chunk, where the text is copied from.
    const from = (n = this.room(n, TIME_BYTES + 2));
    n = this.spellWhole(this.#timePrefix, n);
    const out = this.out;
    let f = micros - secs * 1e6;
    for (let k = n + 5; k >= n; k--) {
      out[k] = 0x30 + (f % 10);
      f = Math.floor(f / 10);
    }
    out[n + 6] = 0x5a;
    out[n + 7] = 0x22;
    n += 8;
    // Kept where it has the usual length (a year past 9999 has not).
    if (n - from === TIME_BYTES) {
      out.copy(this.#timeText, 0, from, n);
      this.#timeMs = ms;
    }
    return n;
  }

  /** The quoted UUID of the 16 bytes at `at` of `src`. */
  protected spellUuid(src: Uint8Array, at: number, n: number): number {
    n = this.room(n, 38);
    const out = this.out;
    out[n++] = 0x22;
    for (let k = 0; k < 16; k++) {
      if (k === 4 || k === 6 || k === 8 || k === 10) out[n++] = 0x2d;
      const v = src[at + k]!;
      out[n++] = HEX_DIGITS[v >>> 4]!;
      out[n++] = HEX_DIGITS[v & 15]!;
    }
    out[n++] = 0x22;
    return n;
  }

  /** All of `b` (a fragment, a template's part) at `n`: one copy by the runtime where it is long enough to be worth the call. */
  protected spellWhole(b: Buffer, n: number): number {
    const len = b.length;
    n = this.room(n, len + 2);
    if (len < WHOLE_SET_BYTES) {
      const out = this.out;
      for (let k = 0; k < len; k++) out[n++] = b[k]!;
      return n;
    }
    this.out.set(b, n);
    return n + len;
  }

  /** `src[from, to)` at `n`. */
  protected spellRange(src: Buffer, from: number, to: number, n: number): number {
    n = this.room(n, to - from + 2);
    // Most pieces are a few dozen bytes: Buffer#copy makes a view of the source per call, which cost more than copying them here.
    if (to - from > 64) return n + src.copy(this.out, n, from, to);
    const out = this.out;
    for (let k = from; k < to; k++) out[n++] = src[k]!;
    return n;
  }

  /**
   * Room for `more` bytes past `n`: when `out` has none, a new chunk with the line begun so far at
   * its start (the old one keeps what was handed on). Returns where the line goes on.
   */
  protected room(n: number, more: number): number {
    if (n + more <= this.out.length) return n;
    const partial = n - this.start;
    const out = Buffer.allocUnsafeSlow(Math.max(LINE_CHUNK_BYTES, 2 * (partial + more)));
    this.out.copy(out, 0, this.start, n);
    this.out = out;
    this.chunks++;
    this.start = 0;
    return partial;
  }
}
