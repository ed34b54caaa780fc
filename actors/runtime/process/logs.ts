/**
 * Container logs on disk, as kubelet and containerd keep them: one file per container
 * instance (`<dir>/<attempt>.log`) in the CRI log format (`<RFC 3339 nano time> <stream>
 * <F|P> <text>`), rotated once it passes containerLogMaxSize into `<attempt>.log.<n>`, of
 * which containerLogMaxFiles - 1 are kept. Readers get lines back from the files; a
 * follower also hears each new line as it is written.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../../base/clock.ts';
import { rfc3339Nano } from '../../../api/time.ts';
import type { LogFollow, LogOptions } from '../runtime.ts';

/** Kubelet's defaults: containerLogMaxSize 10Mi, containerLogMaxFiles 5. */
export const DEFAULT_LOG_MAX_SIZE = 10 * 1024 * 1024;
export const DEFAULT_LOG_MAX_FILES = 5;

export interface LogLimits {
  maxSize: number;
  maxFiles: number;
}

interface Line {
  time: string;
  text: string;
}

export class ContainerLog {
  readonly #path: string;
  readonly #partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  readonly #followers = new Set<(l: Line | null) => void>();
  #size = 0;
  #rotations = 0;
  closed = false;

  constructor(readonly dir: string, readonly attempt: number, private readonly clock: Clock, private readonly limits: LogLimits) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.#path = join(dir, `${attempt}.log`);
  }

  /** Appends a chunk of a stream; whole lines are written, the rest waits for its newline. */
  write(stream: 'stdout' | 'stderr', chunk: string): void {
    const text = this.#partial[stream] + chunk;
    const lines = text.split('\n');
    this.#partial[stream] = lines.pop() ?? '';
    for (const l of lines) this.#line(stream, l);
  }

  /** Writes what is left of unterminated lines and ends every follower. */
  close(): void {
    if (this.closed) return;
    for (const s of ['stdout', 'stderr'] as const) if (this.#partial[s]) this.#line(s, this.#partial[s]);
    this.closed = true;
    for (const f of this.#followers) f(null);
    this.#followers.clear();
  }

  #line(stream: 'stdout' | 'stderr', text: string): void {
    const time = rfc3339Nano(this.clock.now());
    const record = `${time} ${stream} F ${text}\n`;
    if (this.#size > 0 && this.#size + record.length > this.limits.maxSize) this.#rotate();
    appendFileSync(this.#path, record, { mode: 0o600 });
    this.#size += Buffer.byteLength(record);
    for (const f of this.#followers) f({ time, text });
  }

  #rotate(): void {
    renameSync(this.#path, `${this.#path}.${++this.#rotations}`);
    this.#size = 0;
    const keep = Math.max(0, this.limits.maxFiles - 1);
    for (let n = this.#rotations - keep; n >= 1; n--) rmSync(`${this.#path}.${n}`, { force: true });
  }

  /** Every line still on disk, oldest first. */
  lines(): Line[] {
    const rotated = readdirSync(this.dir)
      .filter((f) => f.startsWith(`${this.attempt}.log.`))
      .map((f) => Number(f.slice(`${this.attempt}.log.`.length)))
      .filter(Number.isInteger)
      .sort((a, b) => a - b)
      .map((n) => `${this.#path}.${n}`);
    const out: Line[] = [];
    for (const file of [...rotated, this.#path]) {
      if (!statSync(file, { throwIfNoEntry: false })) continue;
      for (const raw of readFileSync(file, 'utf8').split('\n')) {
        const m = /^(\S+) (?:stdout|stderr) [FP] (.*)$/.exec(raw);
        if (m) out.push({ time: m[1]!, text: m[2]! });
      }
    }
    return out;
  }

  /** The lines as `kubectl logs` shows them (tailLines, timestamps). */
  read(opts: LogOptions = {}): string[] {
    const all = this.lines();
    const tail = opts.tailLines === undefined ? all : all.slice(Math.max(0, all.length - opts.tailLines));
    return tail.map((l) => render(l, opts));
  }

  /** The lines so far, then each new one, until close() or the instance ends. */
  follow(opts: LogOptions = {}): LogFollow {
    const queue = this.read(opts);
    let done = this.closed;
    let wake: (() => void) | null = null;
    const listener = (l: Line | null): void => {
      if (l) queue.push(render(l, opts));
      else done = true;
      wake?.();
    };
    if (!done) this.#followers.add(listener);
    const stop = (): void => {
      done = true;
      this.#followers.delete(listener);
      wake?.();
    };
    return {
      close: stop,
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            while (queue.length > 0) yield queue.shift()!;
            if (done) return;
            await new Promise<void>((res) => (wake = res));
            wake = null;
          }
        } finally {
          stop();
        }
      },
    };
  }

  /** The last lines, at most `maxLines` and `maxBytes` from the end: kubelet's FallbackToLogsOnError message. */
  tailText(maxLines = 80, maxBytes = 2048): string {
    const text = this.lines().slice(-maxLines).map((l) => l.text).join('\n');
    return Buffer.byteLength(text) > maxBytes ? Buffer.from(text).subarray(-maxBytes).toString('utf8') : text;
  }
}

const render = (l: Line, opts: LogOptions): string => (opts.timestamps ? `${l.time} ${l.text}` : l.text);
