import type { Clock } from '../../base/clock.ts';
import type { LogFollow, LogOptions } from './runtime.ts';
import type { SimContainerConfig } from './sim-annotations.ts';

/**
 * Sim logs are never stored: a container instance's lines are a function of its config,
 * its start and its end, so 100k chatty sim containers cost no log memory. `log-text`
 * lines are written at start; `log-every-s` writes `line <n>` at start + n·every.
 */
export interface LogInstance {
  cfg: SimContainerConfig;
  startedAt?: number;
  finishedAt?: number;
}

interface Line {
  at: number;
  text: string;
}

/** Lines written up to `now` (or the instance's end), honouring tailLines and timestamps. */
export function instanceLines(c: LogInstance, now: number, opts: LogOptions): string[] {
  return linesBetween(c, Number.NEGATIVE_INFINITY, Math.min(now, c.finishedAt ?? now), opts.tailLines).map((l) => render(l, opts));
}

/** Lines in (from, to], at most the last `tail` of them. */
function linesBetween(c: LogInstance, from: number, to: number, tail?: number): Line[] {
  const start = c.startedAt;
  if (start === undefined || to < start) return [];
  const out: Line[] = [];
  if (c.cfg.logText !== null && start > from) for (const text of c.cfg.logText.split('\n')) out.push({ at: start, text });
  const every = c.cfg.logEveryMs;
  if (every !== null && every > 0) {
    const last = Math.floor((to - start) / every);
    let first = Math.max(1, Math.floor((from - start) / every) + 1);
    if (tail !== undefined) first = Math.max(first, last - tail + 1);
    for (let n = first; n <= last; n++) out.push({ at: start + n * every, text: `line ${n}` });
  }
  return tail === undefined ? out : out.slice(Math.max(0, out.length - tail));
}

function render(l: Line, opts: LogOptions): string {
  return opts.timestamps ? `${new Date(l.at).toISOString().replace(/Z$/, '000000Z')} ${l.text}` : l.text;
}

/** Follows an instance on the clock: existing lines, then each new one, until it ends or close(). */
export function followLines(c: LogInstance, clock: Clock, opts: LogOptions): LogFollow {
  const queue = instanceLines(c, clock.now(), opts);
  let seen = clock.now();
  let closed = false;
  let wake: (() => void) | null = null;
  let timer: unknown;

  const schedule = (): void => {
    const every = c.cfg.logEveryMs;
    if (closed || c.startedAt === undefined || every === null || every <= 0) return;
    const next = c.startedAt + (Math.floor((seen - c.startedAt) / every) + 1) * every;
    timer = clock.setTimeout(() => {
      const to = Math.min(next, c.finishedAt ?? next);
      for (const l of linesBetween(c, seen, to)) queue.push(render(l, opts));
      seen = next;
      if (c.finishedAt !== undefined && c.finishedAt <= next) closed = true;
      else schedule();
      wake?.();
    }, next - clock.now());
  };
  schedule();

  return {
    close() {
      closed = true;
      clock.clearTimeout(timer);
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (closed || c.finishedAt !== undefined) return;
        await new Promise<void>((res) => (wake = res));
        wake = null;
      }
    },
  };
}
