import { closeSync, existsSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { PRIVATE_FILE_MODE } from '../data-dir.ts';
import { PROTOCOL_VERSION } from '../../bus/codec.ts';
import { BodyCodec, LOG_STRUCTURES } from './body.ts';
import { crc32 } from './crc.ts';
import { Interner } from './intern.ts';
import { FRAME_HEAD, LOG_FORMAT_VERSION, partPath, type LogHeader, type LogIdentity, type NewEntry } from './format.ts';

export interface LogWriterOptions {
  file: string;
  clusterId: string;
  identity: LogIdentity;
  startedAt: number;
  /** Start a new part (`FILE.1`, `FILE.2`, …) before one grows past this many bytes; default: never. */
  maxBytes?: number;
  /** Buffered bytes that trigger a write; default 64 KiB. */
  bufferBytes?: number;
  /** Keep Secret data and bearer tokens; default: the writer redacts them (redact.ts's rules) as it interns. */
  secrets?: boolean;
  transport?: 'in-process' | 'nats' | 'workers';
}

/** Frames one body: length, crc32, body. */
export function frame(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEAD + body.length);
  out.set(body, FRAME_HEAD);
  return framed(out);
}

/** Fills in the frame head of `f`, whose body starts at `FRAME_HEAD`; returns `f`. */
function framed(f: Uint8Array): Uint8Array {
  const body = f.subarray(FRAME_HEAD);
  const view = new DataView(f.buffer, f.byteOffset, FRAME_HEAD);
  view.setUint32(0, body.length, true);
  view.setUint32(4, crc32(body), true);
  return f;
}

/**
 * Appends entries to a log (see format.ts), numbering them, interning the objects they
 * carry (intern.ts) and redacting secrets unless `secrets`. Frames are buffered and
 * written with one `writeSync` per flush, so a crash loses at most the unflushed buffer
 * and leaves at worst one torn frame, which readers cut. Starting a log replaces any
 * earlier log at the same path, its rotated parts included.
 */
export class LogWriter {
  readonly #opts: LogWriterOptions;
  #codec = new BodyCodec(LOG_STRUCTURES);
  readonly #interner: Interner;
  readonly #bufferBytes: number;
  #fd: number;
  #part = 0;
  #partBytes = 0;
  #n = 0;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #closed = false;
  bytesWritten = 0;

  constructor(opts: LogWriterOptions) {
    this.#opts = opts;
    this.#bufferBytes = opts.bufferBytes ?? 64 * 1024;
    this.#interner = new Interner(!(opts.secrets ?? false));
    for (let k = 1; existsSync(partPath(opts.file, k)); k++) rmSync(partPath(opts.file, k));
    this.#fd = openSync(opts.file, 'w', PRIVATE_FILE_MODE);
    this.#header();
  }

  /** Entries written so far (the last `n`). */
  get count(): number {
    return this.#n;
  }

  /**
   * Numbers and buffers one entry; returns its `n`. `immutable`: the entry carries storage
   * content no one changes (the kv's messages), remembered by identity (see intern.ts).
   */
  append(entry: NewEntry, immutable = false): number {
    if (this.#closed) throw new Error('log writer is closed');
    const n = ++this.#n;
    // `n` goes in as the interner copies the entry's fields (a spread of every entry cost a tenth of the writer's time).
    const fields = entry as Record<string, unknown>;
    let f = framed(this.#codec.encode(this.#interner.intern(fields, immutable, n), FRAME_HEAD));
    const max = this.#opts.maxBytes;
    // Never rotate a part that holds only its header: an entry bigger than maxBytes gets a part of its own.
    if (max !== undefined && this.#partBytes + this.#buffered + f.length > max && this.#partBytes + this.#buffered > this.#headerBytes) {
      this.flush();
      this.#rotate();
      // The new part starts with an empty table: what the entry referenced is defined again.
      f = framed(this.#codec.encode(this.#interner.intern(fields, immutable, n), FRAME_HEAD));
    }
    this.#push(f);
    if (this.#buffered >= this.#bufferBytes) this.flush();
    return n;
  }

  /** Writes the buffer to the file. */
  flush(): void {
    if (this.#buffered === 0 || this.#closed) return;
    const all = Buffer.concat(this.#chunks, this.#buffered);
    this.#chunks = [];
    this.#buffered = 0;
    for (let off = 0; off < all.length; ) off += writeSync(this.#fd, all, off);
    this.#partBytes += all.length;
    this.bytesWritten += all.length;
  }

  /** Flushes, fsyncs and closes. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#closed = true;
  }

  #headerBytes = 0;

  #header(): void {
    const header: LogHeader = {
      kind: 'header',
      format: LOG_FORMAT_VERSION,
      protocol: PROTOCOL_VERSION,
      structures: LOG_STRUCTURES.map((s) => [...s]),
      clusterId: this.#opts.clusterId,
      startedAt: this.#opts.startedAt,
      identity: this.#opts.identity,
      part: this.#part,
      secrets: this.#opts.secrets ?? false,
      ...(this.#opts.transport ? { transport: this.#opts.transport } : {}),
    };
    const f = frame(Buffer.from(JSON.stringify(header), 'utf8'));
    this.#headerBytes = f.length;
    this.#push(f);
  }

  #rotate(): void {
    closeSync(this.#fd);
    this.#part++;
    this.#fd = openSync(partPath(this.#opts.file, this.#part), 'w', PRIVATE_FILE_MODE);
    this.#partBytes = 0;
    this.#interner.reset();
    this.#codec = new BodyCodec(LOG_STRUCTURES);
    this.#header();
  }

  #push(f: Uint8Array): void {
    this.#chunks.push(f);
    this.#buffered += f.length;
  }
}
