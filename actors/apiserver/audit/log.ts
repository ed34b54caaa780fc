/**
 * The audit log backend (--audit-log-path): Event JSON lines appended to a file, or to
 * stdout for `-`. Writing never blocks a request: lines are buffered and written in one
 * batch per turn of the event loop. The file is rotated as kube-apiserver's lumberjack
 * rotates it — past --audit-log-maxsize MB (default 100) the file is renamed to
 * `<name>-<UTC time as 2006-01-02T15-04-05.000><ext>` and a new one begun; backups beyond
 * --audit-log-maxbackup or older than --audit-log-maxage days are removed (0: keep all).
 *
 * A batch that cannot be written is dropped and counted (apiserver_audit_error_total); the
 * first failure is reported once on stderr. Requests are served regardless.
 */
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

/** lumberjack's default when no size is given: 100 megabytes. */
export const DEFAULT_MAX_SIZE_MB = 100;
const MB = 1024 * 1024;
/** Past this much waiting to be written (a stalled disk), new events are dropped and counted. */
const MAX_BUFFERED_BYTES = 64 * MB;

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
}

/** Where audit events go: one JSON line each. */
export interface AuditBackend {
  write(line: string): void;
  /** Events that could not be written. */
  readonly errors: number;
  /** Writes what is buffered. */
  flush(): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

export class AuditLog implements AuditBackend {
  #errors = 0;
  #reported = false;
  #lines: string[] = [];
  #bytes = 0;
  #scheduled = false;
  #writing: Promise<void> = Promise.resolve();
  #file: FileHandle | null = null;
  #size = 0;
  readonly #o: Required<AuditLogOptions>;

  constructor(o: AuditLogOptions) {
    this.#o = { maxSizeMB: DEFAULT_MAX_SIZE_MB, maxBackups: 0, maxAgeDays: 0, now: Date.now, report: (m) => process.stderr.write(`${m}\n`), ...o };
    if (this.#o.maxSizeMB === 0) this.#o.maxSizeMB = DEFAULT_MAX_SIZE_MB;
    // Made (0600, its directory 0700) at start, as kube-apiserver's ensureLogFile does: a path that cannot be written fails `up`, not the first request.
    if (o.path !== '-') {
      mkdirSync(dirname(o.path), { recursive: true, mode: 0o700 });
      closeSync(openSync(o.path, 'a', 0o600));
    }
  }

  get errors(): number {
    return this.#errors;
  }

  write(line: string): void {
    if (this.#bytes > MAX_BUFFERED_BYTES) return this.#fail(1, new Error(`more than ${MAX_BUFFERED_BYTES / MB} MiB of events wait to be written`));
    this.#lines.push(line);
    this.#bytes += line.length;
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => void this.flush());
  }

  flush(): Promise<void> {
    this.#scheduled = false;
    const lines = this.#lines;
    if (lines.length > 0) {
      this.#lines = [];
      this.#bytes = 0;
      this.#writing = this.#writing.then(() => this.#write(lines));
    }
    return this.#writing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.#file?.close();
    this.#file = null;
  }

  async #write(lines: string[]): Promise<void> {
    if (this.#o.path === '-') {
      process.stdout.write(lines.join(''));
      return;
    }
    const max = this.#o.maxSizeMB * MB;
    let batch: string[] = [];
    let batchBytes = 0;
    try {
      for (const line of lines) {
        const n = Buffer.byteLength(line);
        if (n > max) {
          this.#fail(1, new Error(`write length ${n} exceeds maximum file size ${max}`));
          continue;
        }
        if (this.#size + batchBytes + n > max) {
          await this.#append(batch, batchBytes);
          batch = [];
          batchBytes = 0;
          await this.#rotate();
        }
        batch.push(line);
        batchBytes += n;
      }
      await this.#append(batch, batchBytes);
    } catch (err) {
      this.#fail(batch.length, err);
      await this.#file?.close().catch(() => {});
      this.#file = null;
    }
  }

  async #append(batch: string[], bytes: number): Promise<void> {
    if (batch.length === 0) return;
    if (!this.#file) {
      this.#file = await open(this.#o.path, 'a', 0o600);
      this.#size = (await this.#file.stat()).size;
      if (this.#size + bytes > this.#o.maxSizeMB * MB && this.#size > 0) await this.#rotate();
    }
    await this.#file!.write(batch.join(''));
    this.#size += bytes;
  }

  async #rotate(): Promise<void> {
    await this.#file?.close();
    this.#file = null;
    const at = this.#o.now();
    renameSync(this.#o.path, backupName(this.#o.path, at));
    this.#file = await open(this.#o.path, 'a', 0o600);
    this.#size = 0;
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
