/**
 * Audit events as the request path hands them to the log's writer: each line is a run of
 * small instructions — a fragment by number (the fixed parts of a line: keys, levels, stages,
 * a user's JSON, a resource's name), a string the request already holds copied as is or
 * quoted, a time in ms, a random audit ID's 16 bytes — ended by END. The request path copies no line together and makes no
 * string for it; the writer (a worker thread, or this thread after it failed) puts the bytes
 * of each line together and writes them. Lines go out in order, in batches: ranges of shared
 * buffers, one or a few per turn of the event loop.
 *
 * A bus request's line is one LINE op instead: a template — a fragment with holes, defined once
 * per request shape (who, verb, resource, which objectRef fields) — and the values of its holes
 * (the audit ID, stage, times, the names, status and annotations), so the request path writes a
 * few numbers and the request's own strings and the writer spells out the rest.
 *
 * A fragment is defined (DEF) in the stream the first time it is used, so a decoder that reads
 * the stream from its start knows every fragment; one that starts later (the in-thread writer
 * taking over from a dead thread) is given the encoder's table.
 */
import { randomFillSync } from 'node:crypto';
import { LineSpeller, type LineSink } from './speller.ts';

/** A range of encoded lines: whole lines, in stream order. */
export interface Batch {
  buffer: SharedArrayBuffer;
  start: number;
  end: number;
  /** How many lines it holds. */
  lines: number;
}

const FRAG = 1;
const RAW = 2;
const QUOTED = 3;
const TIME = 4;
const END = 5;
const DEF = 6;
const UUID = 7;
const LINE = 8;

/**
 * The holes of a template fragment, each NUL and a letter (no JSON text holds a NUL: JSON escapes
 * control characters). A LINE op gives their values: the string holes' in this order — uriName,
 * namespace, name, uid, resourceVersion, then a raw status and raw annotations.
 */
export const HOLE = {
  /** The audit ID's quoted UUID. */
  id: '\0i',
  /** The user's JSON fragment. */
  user: '\0U',
  /** The stage's fixed fragment (`,"stage":"…","requestURI":`). */
  stage: '\0s',
  /** A name inside the quoted requestURI, URI-encoded. */
  uriName: '\0u',
  /** objectRef string values, quoted. */
  namespace: '\0N',
  name: '\0n',
  uid: '\0d',
  resourceVersion: '\0v',
  /** `,"responseStatus":{…}`. */
  status: '\0r',
  /** The quoted times. */
  received: '\0a',
  stageTime: '\0b',
  /** `,"annotations":{…}`, or nothing. */
  annotations: '\0x',
} as const;

/** Where a LINE op's fields are, from its op byte: the head's length last (its strings follow). */
const L = { tpl: 1, id: 5, stage: 21, received: 22, stageTime: 30, status: 38, annotations: 42, user: 46, head: 50 } as const;

/** A LINE op's string: quoted by the writer (plain ASCII), or written as it is (JSON text, or a URI-encoded name). */
const STR_QUOTED = 1;
const STR_AS_IS = 2;
/** A LINE op's status or annotations, when not a fragment: none, or a raw string among its strings. */
export const ABSENT = -1;
export const RAW_STRING = -2;

/** Encoded lines are written into shared chunks of this size (a longer line gets a chunk of its own). */
const CHUNK_BYTES = 1024 * 1024;
/** Room every line is sure to have when it starts: an op never checks for less. */
const LINE_ROOM = 16 * 1024;
/** Fragments past this many are sent as raw strings (a caller interning what is not few). */
export const MAX_FRAGMENTS = 1 << 16;

/** Random version-4 UUIDs drawn per pool (as node's randomUUID buffers 128): a pool is never refilled, since records keep theirs. */
const IDS_PER_POOL = 256;

/**
 * A version-4 UUID kept as its 16 bytes in a pool of random ones: the request path copies them
 * into its lines and the writer spells them out, so a request whose audit ID nobody reads as a
 * string (a component's bus request) never makes one.
 */
export class AuditId {
  static #pool = Buffer.alloc(0);
  static #next = 0;

  /** The 16 bytes at `at` of `pool`. */
  private constructor(readonly pool: Buffer, readonly at: number) {}

  /** A new random ID. */
  static random(): AuditId {
    const at = AuditId.take();
    return new AuditId(AuditId.#pool, at);
  }

  /** A new random ID as its place in `AuditId.pool` (read it after this call): no object made. */
  static take(): number {
    if (AuditId.#next === AuditId.#pool.length) {
      const pool = randomFillSync(Buffer.allocUnsafeSlow(16 * IDS_PER_POOL));
      // RFC 4122: version 4 in byte 6's high nibble, variant 10 in byte 8's high bits.
      for (let i = 0; i < pool.length; i += 16) {
        pool[i + 6] = (pool[i + 6]! & 0x0f) | 0x40;
        pool[i + 8] = (pool[i + 8]! & 0x3f) | 0x80;
      }
      AuditId.#pool = pool;
      AuditId.#next = 0;
    }
    const at = AuditId.#next;
    AuditId.#next += 16;
    return at;
  }

  /** The pool the last ID taken is in. */
  static get pool(): Buffer {
    return AuditId.#pool;
  }

  /** As randomUUID() writes it: lower-case 8-4-4-4-12 hex. */
  toString(): string {
    return uuidText(this.pool, this.at);
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The 16 bytes at `at` of `b` as randomUUID() writes a UUID. */
export function uuidText(b: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[b[at + i]!];
  }
  return s;
}

/**
 * Where an audit record writes its events' lines, op by op: AuditEncoder (instructions for a
 * writer thread to spell out) or DirectEncoder (direct.ts: spelled at once, where this thread
 * writes the log). A position (`chunk`, `at`) is good only with the encoder that gave it.
 */
export interface LineEncoder {
  /** Every fragment defined so far, by number. */
  readonly definitions: string[];
  /** The chunk being written, and where the next op goes in it (see `copy`). */
  readonly chunk: number;
  readonly at: number;
  /** Lines ended and not yet taken. */
  readonly pending: boolean;
  /** Writes again what was written at [from, to) of chunk `chunk`; false (nothing written) when that chunk is no longer the one written. */
  copy(chunk: number, from: number, to: number): boolean;
  /** Fragment number `id` (AUDIT_FRAGMENTS' own). */
  fixed(id: number): void;
  /** A part of lines that recurs, by number once defined. */
  frag(s: string): void;
  /** Fragment `s`'s number, defined when new; -1 past the limit of fragments. */
  id(s: string): number;
  /** A whole line by template `tpl` and its holes' values (see AuditEncoder.line). */
  line(tpl: number, pool: Buffer, at: number, user: number, stage: number, received: number, stageTime: number, status: number, statusRaw: string | null, annotations: number, annotationsRaw: string | null, uriName: string | undefined, namespace: string | undefined, name: string | undefined, uid: string | undefined, resourceVersion: string | undefined): void;
  /** The LINE op at [from, to) of chunk `chunk` again with another stage, time, status and annotations; false when it cannot be (nothing written). */
  relay(chunk: number, from: number, to: number, stage: number, stageTime: number, status: number, annotations: number): boolean;
  /** JSON text as it is. */
  raw(s: string): void;
  /** A string as a JSON string value. */
  text(s: string): void;
  uuid(id: AuditId): void;
  /** A time in ms since the epoch, as the quoted microsecond RFC 3339 time. */
  time(ms: number): void;
  /** Ends the line. */
  end(): void;
  /** The lines ended since the last take, in order (none where they went out at `end`). */
  take(): Batch[];
}

/** The request path's side: lines encoded into shared chunks, taken in batches. */
export class AuditEncoder implements LineEncoder {
  #buffer = new SharedArrayBuffer(CHUNK_BYTES);
  #bytes = Buffer.from(this.#buffer);
  #view = new DataView(this.#buffer);
  /** The chunk's size: a SharedArrayBuffer's byteLength is a call into the runtime (it may grow), this a field. */
  #cap = CHUNK_BYTES;
  #pos = 0;
  /** Where the current line began, and the first byte not yet taken. */
  #line = 0;
  #taken = 0;
  /** Lines ended since #taken. */
  #lines = 0;
  #sealed: Batch[] = [];
  /** Counts the chunks begun: a position is only good in the chunk it was taken in. */
  #chunk = 0;
  readonly #ids = new Map<string, number>();
  /** Every fragment defined so far, by number (never shrinks: a late decoder is given it). */
  readonly definitions: string[] = [];

  /** The chunk being written (see `at` and `copy`). */
  get chunk(): number {
    return this.#chunk;
  }

  /** Where the next op goes in the current chunk. */
  get at(): number {
    return this.#pos;
  }

  /**
   * Writes again the ops at [from, to) of chunk `chunk` — a run of an earlier line — and
   * returns true; false (nothing written) when that chunk is no longer the one written. The
   * bytes stay where they were (chunks are only appended to), and a fragment definition among
   * them defines the same fragment again.
   */
  copy(chunk: number, from: number, to: number): boolean {
    if (chunk !== this.#chunk) return false;
    this.#room(to - from);
    // Room may have meant a new chunk: the run is then in the old one.
    if (chunk !== this.#chunk) return false;
    this.#bytes.copyWithin(this.#pos, from, to);
    this.#pos += to - from;
    return true;
  }

  /** Lines ended and not yet taken. */
  get pending(): boolean {
    return this.#line > this.#taken || this.#sealed.length > 0;
  }

  /**
   * `fixed`: the fragments a caller names by number (`fixed(i)` is `fixed[i]`), defined at the
   * stream's start.
   */
  constructor(fixed: readonly string[] = []) {
    for (const s of fixed) this.#define(s);
  }

  /** Fragment number `id`, as the constructor was given them. */
  fixed(id: number): void {
    this.#room(5);
    this.#op(FRAG, id);
  }

  /** A part of lines that recurs (a user's JSON, an annotation): by number, defined in the stream the first time. */
  frag(s: string): void {
    let id = this.#ids.get(s);
    if (id === undefined) {
      if (this.definitions.length >= MAX_FRAGMENTS) return this.raw(s);
      id = this.#define(s);
    }
    this.#room(5);
    this.#op(FRAG, id);
  }

  /** Fragment `s`'s number (defined in the stream when new), or -1 past the limit of fragments. */
  id(s: string): number {
    const id = this.#ids.get(s);
    if (id !== undefined) return id;
    return this.definitions.length >= MAX_FRAGMENTS ? -1 : this.#define(s);
  }

  /**
   * A whole line by template `tpl` (a fragment with HOLEs): the ID's 16 bytes at `at` of `pool`,
   * the user's fragment, the stage's fixed fragment, the times in ms, the status and the annotations each as a
   * fragment number, ABSENT, or RAW_STRING with `statusRaw` / `annotationsRaw`, and the template's string holes' values — undefined where it has no
   * such hole. One call and one check for room per line: a bus request's lines are most of a
   * busy log.
   */
  line(tpl: number, pool: Buffer, at: number, user: number, stage: number, received: number, stageTime: number, status: number, statusRaw: string | null, annotations: number, annotationsRaw: string | null, uriName: string | undefined, namespace: string | undefined, name: string | undefined, uid: string | undefined, resourceVersion: string | undefined): void {
    // Each string at most 3 bytes a UTF-16 unit plus its head; JSON.stringify's longer forms make room of their own.
    const strings = (uriName?.length ?? 0) + (namespace?.length ?? 0) + (name?.length ?? 0) + (uid?.length ?? 0) + (resourceVersion?.length ?? 0) + (statusRaw?.length ?? 0) + (annotationsRaw?.length ?? 0);
    this.#room(L.head + 7 * 5 + 3 * strings);
    const b = this.#bytes;
    const v = this.#view;
    let p = this.#pos;
    b[p] = LINE;
    v.setUint32(p + L.tpl, tpl, true);
    for (let i = 0; i < 16; i++) b[p + L.id + i] = pool[at + i]!;
    b[p + L.stage] = stage;
    v.setFloat64(p + L.received, received, true);
    v.setFloat64(p + L.stageTime, stageTime, true);
    v.setInt32(p + L.status, status, true);
    v.setInt32(p + L.annotations, annotations, true);
    v.setUint32(p + L.user, user, true);
    this.#pos = p + L.head;
    if (uriName !== undefined) this.#uriName(uriName);
    if (namespace !== undefined) this.#quoted(namespace);
    if (name !== undefined) this.#quoted(name);
    if (uid !== undefined) this.#quoted(uid);
    if (resourceVersion !== undefined) this.#quoted(resourceVersion);
    if (statusRaw !== null) this.#asIs(statusRaw);
    if (annotationsRaw !== null) this.#asIs(annotationsRaw);
  }

  /**
   * Writes again the LINE op at [from, to) of chunk `chunk` — an earlier event of the same
   * request, whose status and annotations were fragments or absent — with another stage, stage
   * time, status and annotations (fragment numbers or ABSENT: a raw one would need strings the op
   * does not hold). False (nothing written) when that chunk is no longer the one written.
   */
  relay(chunk: number, from: number, to: number, stage: number, stageTime: number, status: number, annotations: number): boolean {
    if (!this.copy(chunk, from, to)) return false;
    const p = this.#pos - (to - from);
    this.#bytes[p + L.stage] = stage;
    this.#view.setFloat64(p + L.stageTime, stageTime, true);
    this.#view.setInt32(p + L.status, status, true);
    this.#view.setInt32(p + L.annotations, annotations, true);
    return true;
  }

  /** A LINE string the writer quotes: plain ASCII copied as it is checked, any other as JSON.stringify gives it. */
  #quoted(s: string): void {
    const len = s.length;
    const b = this.#bytes;
    const at = this.#pos + 5;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (!isPlainJsonChar(c)) return this.#asIs(JSON.stringify(s));
      b[at + i] = c;
    }
    this.#strHead(STR_QUOTED, len);
  }

  /** A name inside the requestURI: as encodeURIComponent writes it (its output is plain JSON). */
  #uriName(s: string): void {
    const len = s.length;
    const b = this.#bytes;
    const at = this.#pos + 5;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (!isUriUnreserved(c)) return this.#asIs(uriComponent(s));
      b[at + i] = c;
    }
    this.#strHead(STR_AS_IS, len);
  }

  /** A LINE string written as it is. */
  #asIs(s: string): void {
    this.#room(5 + 3 * s.length);
    const n = this.#bytes.write(s, this.#pos + 5);
    this.#strHead(STR_AS_IS, n);
  }

  /** The head of the string whose `n` bytes are written after it (its kind as an op, its length after it). */
  #strHead(kind: number, n: number): void {
    this.#op(kind, n);
    this.#pos += n;
  }

  #define(s: string): number {
    const id = this.definitions.length;
    this.definitions.push(s);
    this.#ids.set(s, id);
    this.#string(DEF, s, id);
    return id;
  }

  /** A string copied into the line as it is (JSON already). */
  raw(s: string): void {
    this.#string(RAW, s);
  }

  /**
   * A string as a JSON string value. The usual one (printable ASCII, no quote or backslash) is
   * copied byte by byte between quotes as it is checked — shorter strings than a native call's
   * cost —; any other is written as JSON.stringify gives it.
   */
  text(s: string): void {
    const len = s.length;
    this.#room(5 + len);
    const b = this.#bytes;
    const at = this.#pos + 5;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (!isPlainJsonChar(c)) return this.raw(JSON.stringify(s));
      b[at + i] = c;
    }
    this.#op(QUOTED, len);
    this.#pos += len;
  }
  /** An AuditId, written as the quoted UUID. */
  uuid(id: AuditId): void {
    this.#room(17);
    const b = this.#bytes;
    const p = this.#pos;
    b[p] = UUID;
    // Byte by byte: for 16 bytes a loop costs less than Buffer#copy's call into the runtime.
    const src = id.pool;
    for (let i = 0, at = id.at; i < 16; i++) b[p + 1 + i] = src[at + i]!;
    this.#pos = p + 17;
  }

  /** A time in ms since the epoch, written as the quoted microsecond RFC 3339 time. */
  time(ms: number): void {
    this.#room(9);
    this.#bytes[this.#pos] = TIME;
    this.#view.setFloat64(this.#pos + 1, ms, true);
    this.#pos += 9;
  }

  /** Ends the line. */
  end(): void {
    this.#room(1);
    this.#bytes[this.#pos++] = END;
    this.#line = this.#pos;
    this.#lines++;
    if (this.#cap - this.#pos < LINE_ROOM) this.#next(0);
  }

  /** The lines ended since the last take, in order. */
  take(): Batch[] {
    const out = this.#sealed;
    this.#sealed = [];
    if (this.#line > this.#taken) out.push({ buffer: this.#buffer, start: this.#taken, end: this.#line, lines: this.#lines });
    this.#taken = this.#line;
    this.#lines = 0;
    return out;
  }

  /** The op and a u32 after it. */
  #op(op: number, n: number): void {
    const b = this.#bytes;
    const p = this.#pos;
    b[p] = op;
    b[p + 1] = n;
    b[p + 2] = n >>> 8;
    b[p + 3] = n >>> 16;
    b[p + 4] = n >>> 24;
    this.#pos = p + 5;
  }

  /** op, u32 length (for DEF: u32 id first), the UTF-8 bytes. */
  #string(op: number, s: string, id = 0): void {
    const head = op === DEF ? 9 : 5;
    this.#room(head + s.length * 3);
    const n = this.#bytes.write(s, this.#pos + head);
    this.#bytes[this.#pos] = op;
    if (op === DEF) this.#view.setUint32(this.#pos + 1, id, true);
    this.#view.setUint32(this.#pos + head - 4, n, true);
    this.#pos += head + n;
  }

  #room(n: number): void {
    if (this.#pos + n > this.#cap) this.#next(n);
  }

  /** A new chunk with room for `n` more bytes; the line begun in the old one moves over. */
  #next(n: number): void {
    if (this.#line > this.#taken) this.#sealed.push({ buffer: this.#buffer, start: this.#taken, end: this.#line, lines: this.#lines });
    this.#lines = 0;
    const partial = this.#pos - this.#line;
    const buffer = new SharedArrayBuffer(Math.max(CHUNK_BYTES, 2 * (partial + n) + LINE_ROOM));
    const bytes = Buffer.from(buffer);
    this.#bytes.copy(bytes, 0, this.#line, this.#pos);
    this.#buffer = buffer;
    this.#cap = buffer.byteLength;
    this.#bytes = bytes;
    this.#view = new DataView(buffer);
    this.#chunk++;
    this.#pos = partial;
    this.#line = this.#taken = 0;
  }
}

/**
 * encodeURIComponent(s), without making a copy of the usual string it would leave unchanged (a
 * name or namespace: DNS labels and subdomains); a lone surrogate, which it refuses, is U+FFFD.
 */
export function uriComponent(s: string): string {
  for (let i = 0; i < s.length; i++) if (!isUriUnreserved(s.charCodeAt(i))) return encodeURIComponent(s.toWellFormed());
  return s;
}

/** What JSON.stringify writes as itself inside a string: printable ASCII but the quote and the backslash. */
export const isPlainJsonChar = (c: number): boolean => c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c;

/** What encodeURIComponent leaves as it is (so a name of these goes into a requestURI unchanged); all of it plain JSON. */
export const isUriUnreserved = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e || c === 0x21 || c === 0x2a || c === 0x27 || c === 0x28 || c === 0x29;

/**
 * The writer's side: reads the instructions and spells out each line (speller.ts), newline
 * included, in stream order.
 */
export class AuditDecoder extends LineSpeller {
  /**
   * `definitions`: the fragments already defined in the part of the stream this decoder does not
   * read; `retain`: lines handed on stay valid (their bytes are never written again).
   */
  constructor(definitions: readonly string[] = [], retain = false) {
    super(retain);
    for (let i = 0; i < definitions.length; i++) this.define(i, Buffer.from(definitions[i]!));
  }

  /**
   * Calls `line` with each line's bytes, `bytes[start, end)`: valid until it returns, or for
   * good when the decoder retains them.
   */
  decode(batch: Batch, line: LineSink): void {
    const src = Buffer.from(batch.buffer, batch.start, batch.end - batch.start);
    const view = new DataView(batch.buffer, batch.start, batch.end - batch.start);
    let i = 0;
    let n = this.start;
    while (i < src.length) {
      const op = src[i]!;
      if (op === END) {
        n = this.endLine(n, line);
        i++;
      } else if (op === FRAG) {
        const f = this.fragments[view.getUint32(i + 1, true)]!;
        n = this.spellWhole(f, n);
        i += 5;
      } else if (op === TIME) {
        n = this.spellTime(view.getFloat64(i + 1, true), n);
        i += 9;
      } else if (op === UUID) {
        n = this.spellUuid(src, i + 1, n);
        i += 17;
      } else if (op === LINE) {
        n = this.#line(src, view, i, n);
        i = this.#cursor;
      } else if (op === DEF) {
        const id = view.getUint32(i + 1, true);
        const len = view.getUint32(i + 5, true);
        this.define(id, Buffer.from(src.subarray(i + 9, i + 9 + len)));
        i += 9 + len;
      } else {
        const len = view.getUint32(i + 1, true);
        if (op === QUOTED) {
          n = this.room(n, len + 2);
          this.out[n++] = 0x22;
          n = this.spellRange(src, i + 5, i + 5 + len, n);
          this.out[n++] = 0x22;
        } else n = this.spellRange(src, i + 5, i + 5 + len, n);
        i += 5 + len;
      }
    }
  }

  /** Where the LINE op being read has its next string (#line's cursor). */
  #cursor = 0;

  /** A LINE op at `i`: its template with the holes filled at `n`; returns the line's length, and leaves #cursor past the op. */
  #line(src: Buffer, view: DataView, i: number, n: number): number {
    const parts = this.templates[view.getUint32(i + L.tpl, true)]!;
    const status = view.getInt32(i + L.status, true);
    const annotations = view.getInt32(i + L.annotations, true);
    // The strings follow the head, in the order of the template's string holes.
    this.#cursor = i + L.head;
    for (const part of parts) {
      if (typeof part !== 'number') {
        n = this.spellWhole(part, n);
        continue;
      }
      switch (part) {
        case 0x69: // i: the ID
          n = this.spellUuid(src, i + L.id, n);
          break;
        case 0x73: // s, U: the stage's and the user's fragments
        case 0x55: {
          const f = this.fragments[part === 0x73 ? src[i + L.stage]! : view.getUint32(i + L.user, true)]!;
          n = this.spellWhole(f, n);
          break;
        }
        case 0x61: // a, b: the times
        case 0x62:
          n = this.spellTime(view.getFloat64(part === 0x61 ? i + L.received : i + L.stageTime, true), n);
          break;
        case 0x72: // r, x: the status, the annotations
        case 0x78: {
          const v = part === 0x72 ? status : annotations;
          if (v >= 0) {
            const f = this.fragments[v]!;
            n = this.spellWhole(f, n);
          } else if (v === RAW_STRING) n = this.#string(src, view, false, n);
          break;
        }
        default: // u, N, n, d, v: the strings
          n = this.#string(src, view, part !== 0x75, n);
      }
    }
    return n;
  }

  /** The LINE string at #cursor, quoted when `quoted` and it is a plain one, at `n`; returns the new length. */
  #string(src: Buffer, view: DataView, quoted: boolean, n: number): number {
    const s = this.#cursor;
    const len = view.getUint32(s + 1, true);
    const q = quoted && src[s] === STR_QUOTED;
    n = this.room(n, len + 2);
    if (q) this.out[n++] = 0x22;
    n = this.spellRange(src, s + 5, s + 5 + len, n);
    if (q) this.out[n++] = 0x22;
    this.#cursor = s + 5 + len;
    return n;
  }
}
