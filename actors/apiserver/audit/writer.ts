/**
 * The audit log written by a thread of its own, as kube-apiserver's buffered backend hands
 * events to a goroutine: the request path encodes each event's fields (wire.ts), and a worker
 * thread (writer-thread.ts) puts the lines together and writes and rotates the file with the
 * same AuditLog the apiserver's thread would use — so the file is the same, byte for byte.
 *
 * A hand-over is a message, which costs the request path more than the lines it carries: so
 * lines wait up to HAND_OVER_MS to go together, and one hand-over is in flight at a time (the
 * lines sent while the thread writes go to it together after its answer). Batches stay here
 * until the thread says they are in the file. A thread that dies is reported once on stderr
 * and the log is written in this thread from then on, starting with the batches it had not
 * written (some lines may then appear twice, none is lost).
 */
import { Worker } from 'node:worker_threads';
import { AuditLog, ensureLogFile, MAX_BUFFERED_BYTES, type AuditLogOptions, type AuditSink } from './log.ts';
import type { Batch } from './wire.ts';

/** bus/workers' boot module: loads the TypeScript hooks in the new thread, then imports workerData.entry. */
const BOOT = new URL('../../../bus/workers/boot.mjs', import.meta.url);
const ENTRY = new URL('./writer-thread.ts', import.meta.url);
/**
 * How long lines wait for others before they are handed over. A message per turn of the event
 * loop (each a structured clone and a wake-up of the thread) was density's largest audit cost on
 * the main thread (0.4 %); a crash loses at most this much more than a log written at once.
 */
const HAND_OVER_MS = 10;

/** What the writer thread finds in workerData. */
export interface WriterThreadData {
  entry: string;
  /** The log's options that cross threads (no functions). */
  options: Pick<AuditLogOptions, 'path' | 'maxSizeMB' | 'maxBackups' | 'maxAgeDays'>;
}

/** Messages to the thread, and its answers. */
export type ToWriter = { type: 'batches'; seq: number; batches: Batch[] } | { type: 'flush' | 'close'; id: number };
export type FromWriter = { type: 'written'; seq: number; errors: number } | { type: 'done'; id: number; errors: number } | { type: 'report'; message: string };

export class AuditWriterThread implements AuditSink {
  readonly #o: AuditLogOptions;
  /** Past this many bytes of encoded events held (handed over or waiting, not yet in the file), new ones are dropped and counted. */
  readonly #max: number;
  readonly #report: (message: string) => void;
  #worker: Worker | null;
  /** This thread's log, once the writer thread died. */
  #fallback: AuditSink | null = null;
  #definitions: readonly string[] = [];
  #seq = 0;
  /** Posted and not yet in the file, by hand-over. */
  #unwritten: { seq: number; batches: Batch[] }[] = [];
  /** Sent while a hand-over was in flight: they go with the next. */
  #waiting: Batch[] = [];
  /** Bytes of the batches not yet in the file. */
  #heldBytes = 0;
  /** Events dropped here because too much waited (the thread not keeping up). */
  #dropped = 0;
  #reported = false;
  #inFlight = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #handOver = (): void => {
    this.#timer = null;
    if (!this.#inFlight && this.#waiting.length > 0) this.#post();
  };
  /** Errors the thread counted, as of its last answer. */
  #errors = 0;
  /** Flushes and the close waiting for the thread's answer, by id. */
  readonly #calls = new Map<number, { kind: 'flush' | 'close'; done: () => void }>();
  #nextCall = 0;
  #closing = false;

  constructor(o: AuditLogOptions) {
    this.#o = o;
    this.#max = o.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
    this.#report = o.report ?? ((m) => process.stderr.write(`${m}\n`));
    // The file is made here, so a path that cannot be written fails at start (as AuditLog's constructor does).
    if (o.path !== '-') ensureLogFile(o.path);
    const data: WriterThreadData = { entry: ENTRY.href, options: { path: o.path, maxSizeMB: o.maxSizeMB ?? 0, maxBackups: o.maxBackups ?? 0, maxAgeDays: o.maxAgeDays ?? 0 } };
    const w = new Worker(BOOT, { workerData: data });
    this.#worker = w;
    w.on('message', (m: FromWriter) => this.#answer(m));
    w.on('error', (err) => this.#died(err.message));
    w.on('exit', (code) => {
      if (!this.#closing || this.#calls.size > 0) this.#died(`it exited with code ${code}`);
    });
    // Idle, the thread keeps no process alive; it is referenced while it holds lines or owes an answer.
    w.unref();
  }

  /** The writer thread (null once it died or was closed): tests stop it to see the log carry on. */
  get thread(): Worker | null {
    return this.#worker;
  }

  get errors(): number {
    return this.#errors + this.#dropped + (this.#fallback?.errors ?? 0);
  }

  send(batches: Batch[], definitions: readonly string[]): void {
    this.#definitions = definitions;
    if (this.#fallback) return this.#fallback.send(batches, definitions);
    for (const b of batches) {
      // A stalled disk holds up the thread's answers: past the log's own bound, events are dropped and counted here.
      if (this.#heldBytes > this.#max) {
        this.#dropped += b.lines;
        if (!this.#reported) this.#report(`audit: cannot write the audit log ${this.#o.path}: more than ${this.#max / 1024 / 1024} MiB of events wait to be written (counted in apiserver_audit_error_total; requests are still served)`);
        this.#reported = true;
        continue;
      }
      this.#heldBytes += b.end - b.start;
      // Ranges that follow each other in one buffer go as one.
      const last = this.#waiting.at(-1);
      if (last && last.buffer === b.buffer && last.end === b.start) {
        last.end = b.end;
        last.lines += b.lines;
      } else this.#waiting.push(b);
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#inFlight || this.#timer !== null || this.#waiting.length === 0) return;
    this.#timer = setTimeout(this.#handOver, HAND_OVER_MS);
  }

  flush(): Promise<void> {
    return this.#call('flush');
  }

  close(): Promise<void> {
    this.#closing = true;
    return this.#call('close');
  }

  #call(kind: 'flush' | 'close'): Promise<void> {
    if (this.#fallback) return kind === 'flush' ? this.#fallback.flush() : this.#fallback.close();
    if (this.#waiting.length > 0) this.#post();
    const id = this.#nextCall++;
    return new Promise<void>((resolve) => {
      this.#calls.set(id, { kind, done: resolve });
      this.#worker!.ref();
      this.#worker!.postMessage({ type: kind, id } satisfies ToWriter);
    });
  }

  #post(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const seq = ++this.#seq;
    const batches = this.#waiting;
    this.#waiting = [];
    this.#unwritten.push({ seq, batches });
    this.#inFlight = true;
    this.#worker!.ref();
    this.#worker!.postMessage({ type: 'batches', seq, batches } satisfies ToWriter);
  }

  #answer(m: FromWriter): void {
    if (m.type === 'report') return this.#report(m.message);
    this.#errors = m.errors;
    if (m.type === 'written') {
      while (this.#unwritten.length > 0 && this.#unwritten[0]!.seq <= m.seq) {
        for (const b of this.#unwritten.shift()!.batches) this.#heldBytes -= b.end - b.start;
      }
      // Only the latest hand-over's answer frees the next: a flush may have posted one after it.
      if (m.seq === this.#seq) {
        this.#inFlight = false;
        this.#schedule();
      }
    } else {
      const call = this.#calls.get(m.id);
      this.#calls.delete(m.id);
      if (call?.kind === 'close') {
        // Everything is in the file and closed: the thread has nothing left to do.
        void this.#worker?.terminate();
        this.#worker = null;
      }
      call?.done();
    }
    if (this.#worker && !this.#inFlight && this.#calls.size === 0) this.#worker.unref();
  }

  /** The thread is gone before its close: this thread writes from here on, beginning with what it had not written. */
  #died(why: string): void {
    if (this.#fallback) return;
    const w = this.#worker;
    this.#worker = null;
    void w?.terminate();
    this.#report(`audit: the audit log's writer thread stopped (${why}); the log is written by the apiserver's thread from now on`);
    let log: AuditSink;
    try {
      log = new AuditLog(this.#o);
    } catch (err) {
      log = new DroppingSink(this.#report, err);
    }
    this.#fallback = log;
    for (const u of this.#unwritten) log.send(u.batches, this.#definitions);
    log.send(this.#waiting, this.#definitions);
    this.#unwritten = [];
    this.#waiting = [];
    this.#heldBytes = 0;
    this.#inFlight = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    for (const call of this.#calls.values()) void (call.kind === 'flush' ? log.flush() : log.close()).then(call.done);
    this.#calls.clear();
  }
}

/** When not even this thread can open the log: events are counted as failed and dropped. */
class DroppingSink implements AuditSink {
  errors = 0;
  constructor(report: (m: string) => void, err: unknown) {
    report(`audit: cannot write the audit log: ${err instanceof Error ? err.message : String(err)} (counted in apiserver_audit_error_total; requests are still served)`);
  }
  send(batches: Batch[]): void {
    for (const b of batches) this.errors += b.lines;
  }
  flush = async (): Promise<void> => {};
  close = async (): Promise<void> => {};
}
