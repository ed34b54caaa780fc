/**
 * The audit log backend (--audit-log-path): Event JSON lines appended to a file, or to
 * stdout for `-`. Writing never blocks a request: lines are encoded as they come; one write is in
 * flight at a time, and it takes every line that came while the one before it was on its way. The file is rotated as kube-apiserver's lumberjack
 * rotates it — past --audit-log-maxsize MB (default 100) the file is renamed to
 * `<name>-<UTC time as 2006-01-02T15-04-05.000><ext>` and a new one begun; backups beyond
 * --audit-log-maxbackup or older than --audit-log-maxage days are removed (0: keep all).
 *
 * A batch that cannot be written is dropped and counted (apiserver_audit_error_total); the
 * first failure is reported once on stderr. Requests are served regardless.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { AuditDecoder, type Batch } from './wire.ts';

/** lumberjack's default when no size is given: 100 megabytes. */
export const DEFAULT_MAX_SIZE_MB = 100;
const MB = 1024 * 1024;
/** Past this much waiting to be written (a stalled disk), new events are dropped and counted. */
export const MAX_BUFFERED_BYTES = 64 * MB;

export interface AuditLogOptions {
  /** The file, or `-` for stdout. */
  path: string;
  /** Rotate past this many megabytes (default 100, lumberjack's). */
  maxSizeMB?: number;
  /** Rotated files to keep (0: all). */
  maxBackups?: number;
  /** Days to keep rotated files (0: forever). */
  maxAgeDays?: number;
  /** The wall clock for rotated names and ages (default Date.now). */
  now?: () => number;
  /** Where the first failure is reported (default stderr). */
  report?: (message: string) => void;
  /** Past this many bytes waiting to be written, new events are dropped and counted (default MAX_BUFFERED_BYTES). */
  maxBufferedBytes?: number;
}

/** Where audit events go: one JSON line each, as a string in this thread. */
export interface AuditBackend {
  write(line: string): void;
  /** Events that could not be written. */
  readonly errors: number;
  /** Writes what is buffered. */
  flush(): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/** Where audit events go as the request path encodes them (wire.ts), in order, a batch or a few per turn. */
export interface AuditSink {
  /** Takes the batches; `definitions` holds every fragment defined so far (the stream defines them too). */
  send(batches: Batch[], definitions: readonly string[]): void;
  /** Events that could not be written. */
  readonly errors: number;
  /** Resolves when every batch sent so far is written. */
  flush(): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/** A run of whole lines, encoded, waiting for the file; or the point where the file rotates. */
type Pending = { bytes: Buffer; lines: number } | typeof ROTATE;
const ROTATE = 'rotate';
/** Lines are encoded into chunks of this size as they come (a longer line gets a chunk of its own). */
const CHUNK_BYTES = 256 * 1024;
/** Buffers per writev (IOV_MAX on Linux). */
const MAX_IOVECS = 1024;

export class AuditLog implements AuditBackend, AuditSink {
  #errors = 0;
  /** Puts the lines of sent batches together (made at the first batch, knowing every fragment defined by then). */
  #decoder: AuditDecoder | null = null;
  #reported = false;
  /**
   * Each line is encoded into the current chunk the moment it is written, so the line's string
   * dies young; what was queued before was a batch of strings joined into one large string per
   * turn, which cost density more in garbage collection than the audit itself. A flush hands
   * the chunk's new bytes to the writer and keeps appending after them: bytes handed over are
   * never written again, so no copy is needed.
   */
  #chunk: Buffer = Buffer.alloc(0);
  /** #chunk is the decoder's (lines are appended to it there): a string is written into a chunk of our own. */
  #adopted = false;
  /** The chunk's first byte not yet handed to the writer, and its end of data. */
  #start = 0;
  #used = 0;
  /** Lines in the chunk since #start. */
  #lines = 0;
  #queue: Pending[] = [];
  /** Bytes written by callers that have not reached the file yet. */
  #pendingBytes = 0;
  /** What the current file will hold once everything queued is written: where rotation falls. */
  #fileBytes = 0;
  #scheduled = false;
  /**
   * The writer is at work: lines that come meanwhile wait for its next write instead of
   * scheduling their own. A write per turn of the event loop cost density a system call, a
   * promise and a thread-pool job for every few lines; under load this batches by itself.
   */
  #busy = false;
  #writing: Promise<void> = Promise.resolve();
  readonly #kick = (): void => void this.flush();
  #file: FileHandle | null = null;
  readonly #o: Required<AuditLogOptions>;
  readonly #max: number;

  constructor(o: AuditLogOptions) {
    this.#o = { maxSizeMB: DEFAULT_MAX_SIZE_MB, maxBackups: 0, maxAgeDays: 0, now: Date.now, report: (m) => process.stderr.write(`${m}\n`), maxBufferedBytes: MAX_BUFFERED_BYTES, ...o };
    if (this.#o.maxSizeMB === 0) this.#o.maxSizeMB = DEFAULT_MAX_SIZE_MB;
    this.#max = this.#o.maxSizeMB * MB;
    if (o.path !== '-') this.#fileBytes = ensureLogFile(o.path);
  }

  get errors(): number {
    return this.#errors;
  }

  /** Bytes of lines taken and not yet in the file. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  write(line: string): void {
    if (this.#full()) return;
    // A UTF-16 unit never takes more than 3 bytes in UTF-8: room for that is room enough.
    this.#room(line.length * 3);
    this.#appended(this.#chunk.write(line, this.#used));
  }

  send(batches: Batch[], definitions: readonly string[]): void {
    this.#decoder ??= new AuditDecoder(definitions, true);
    for (const b of batches) this.#decoder.decode(b, this.taken);
  }

  /**
   * A line spelled at `bytes[start, end)` (speller.ts: by the decoder of sent batches, or as the
   * request path wrote it), which is never written again: queued where it is. Lines follow one
   * another in the speller's chunk, so they are sealed as one run unless the chunk changed or a
   * line between was dropped.
   */
  readonly taken = (bytes: Buffer, start: number, end: number): void => {
    if (bytes !== this.#chunk || start !== this.#used) {
      this.#seal();
      this.#chunk = bytes;
      this.#adopted = true;
      this.#start = this.#used = start;
    }
    if (this.#full()) return;
    this.#appended(end - start);
  };

  #full(): boolean {
    if (this.#pendingBytes <= this.#o.maxBufferedBytes) return false;
    // A message, not an Error: a stack trace per dropped line cost more than writing it.
    this.#fail(1, `more than ${this.#o.maxBufferedBytes / MB} MiB of events wait to be written`);
    return true;
  }

  #room(room: number): void {
    if (this.#adopted || this.#used + room > this.#chunk.length) {
      this.#seal();
      this.#chunk = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, room));
      this.#adopted = false;
      this.#start = this.#used = 0;
    }
  }

  /** Accounts for the `n` bytes of a line just put at the chunk's end. */
  #appended(n: number): void {
    if (this.#o.path !== '-') {
      if (n > this.#max) return this.#fail(1, new Error(`write length ${n} exceeds maximum file size ${this.#max}`));
      if (this.#fileBytes + n > this.#max) {
        // The line begins the next file: what came before it is sealed, then the file rotates.
        this.#seal();
        this.#queue.push(ROTATE);
        this.#fileBytes = 0;
      }
      this.#fileBytes += n;
    }
    this.#used += n;
    this.#lines++;
    this.#pendingBytes += n;
    if (this.#scheduled || this.#busy) return;
    this.#scheduled = true;
    setImmediate(this.#kick);
  }

  /** Resolves when every line written so far is in the file (and any that came while it waited). */
  flush(): Promise<void> {
    this.#scheduled = false;
    if (this.#busy) return this.#writing;
    this.#seal();
    if (this.#queue.length > 0) {
      this.#busy = true;
      this.#writing = this.#drain();
    }
    return this.#writing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.#file?.close();
    this.#file = null;
  }

  /** Queues the chunk's lines not yet handed over. */
  #seal(): void {
    if (this.#used === this.#start) return;
    this.#queue.push({ bytes: this.#chunk.subarray(this.#start, this.#used), lines: this.#lines });
    this.#start = this.#used;
    this.#lines = 0;
  }

  /** Writes what is queued, then what came meanwhile, until nothing waits. */
  async #drain(): Promise<void> {
    try {
      for (;;) {
        this.#seal();
        if (this.#queue.length === 0) return;
        const items = this.#queue;
        this.#queue = [];
        await this.#write(items);
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Each run of byte items between rotations in one system call. */
  async #write(items: Pending[]): Promise<void> {
    let run: Buffer[] = [];
    let lines = 0;
    for (let i = 0; i <= items.length; i++) {
      const item = items[i];
      if (item !== undefined && item !== ROTATE && run.length < MAX_IOVECS) {
        run.push(item.bytes);
        lines += item.lines;
        continue;
      }
      if (run.length > 0) {
        await this.#put(run, lines);
        run = [];
        lines = 0;
      }
      if (item === ROTATE) {
        try {
          await this.#rotate();
        } catch (err) {
          this.#fail(0, err);
          await this.#drop();
        }
      } else if (item !== undefined) {
        // A run at its iovec limit: this item starts the next one.
        run.push(item.bytes);
        lines += item.lines;
      }
    }
  }

  async #put(run: Buffer[], lines: number): Promise<void> {
    try {
      if (this.#o.path === '-') for (const b of run) process.stdout.write(b);
      else {
        this.#file ??= await open(this.#o.path, 'a', 0o600);
        if (run.length === 1) await this.#file.write(run[0]!);
        else await this.#file.writev(run);
      }
    } catch (err) {
      this.#fail(lines, err);
      await this.#drop();
    }
    for (const b of run) this.#pendingBytes -= b.length;
  }

  /** Closes the file after a failure: the next write opens it again. */
  async #drop(): Promise<void> {
    await this.#file?.close().catch(() => {});
    this.#file = null;
  }

  async #rotate(): Promise<void> {
    await this.#file?.close();
    this.#file = null;
    const at = this.#o.now();
    // Names carry milliseconds: a second rotation within the same one would overwrite the first's
    // backup (lumberjack's names collide the same way). The next free millisecond keeps both, in order.
    let stamp = at;
    while (existsSync(backupName(this.#o.path, stamp))) stamp++;
    renameSync(this.#o.path, backupName(this.#o.path, stamp));
    this.#file = await open(this.#o.path, 'a', 0o600);
    this.#mill(at);
  }

  /** Removes the backups past maxBackups and maxAge, oldest first (lumberjack's millRunOnce). */
  #mill(now: number): void {
    const { maxBackups, maxAgeDays } = this.#o;
    if (maxBackups === 0 && maxAgeDays === 0) return;
    const backups = listBackups(this.#o.path);
    const cutoff = now - maxAgeDays * 24 * 3600 * 1000;
    backups.forEach((b, i) => {
      if ((maxBackups > 0 && i >= maxBackups) || (maxAgeDays > 0 && b.time < cutoff)) {
        try {
          unlinkSync(b.path);
        } catch (err) {
          this.#fail(0, err);
        }
      }
    });
  }

  #fail(events: number, err: unknown): void {
    this.#errors += events;
    if (this.#reported) return;
    this.#reported = true;
    this.#o.report(`audit: cannot write the audit log ${this.#o.path}: ${err instanceof Error ? err.message : String(err)} (counted in apiserver_audit_error_total; requests are still served)`);
  }
}

/**
 * Makes the log file (0600, its directory 0700) if missing and gives its size: done at start, as
 * kube-apiserver's ensureLogFile does, so a path that cannot be written fails `up`, not the first request.
 */
export function ensureLogFile(path: string): number {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, 'a', 0o600);
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/** lumberjack's backupName: `<dir>/<name>-<2006-01-02T15-04-05.000 in UTC><ext>`. */
export function backupName(path: string, at: number): string {
  const ext = extname(path);
  const prefix = basename(path, ext);
  const stamp = new Date(at).toISOString().slice(0, 23).replace(/:/g, '-');
  return join(dirname(path), `${prefix}-${stamp}${ext}`);
}

/** The rotated files of `path`, newest first, with the time their names carry. */
export function listBackups(path: string): { path: string; time: number }[] {
  const ext = extname(path);
  const prefix = `${basename(path, ext)}-`;
  const out: { path: string; time: number }[] = [];
  for (const name of readdirSync(dirname(path))) {
    if (!name.startsWith(prefix) || !name.endsWith(ext)) continue;
    const stamp = name.slice(prefix.length, name.length - ext.length);
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}\.\d{3})$/.exec(stamp);
    if (!m) continue;
    const time = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`);
    if (Number.isFinite(time)) out.push({ path: join(dirname(path), name), time });
  }
  return out.sort((a, b) => b.time - a.time);
}
