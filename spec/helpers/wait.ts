/**
 * The one polling helper of the specs: retry a check until it holds, and fail with what was
 * awaited and what was last seen. Real time by default; a spec on a virtual clock passes a
 * `pace` that advances its clock instead of sleeping.
 */

/** How `eventually` reads and passes time between tries. */
export interface Pace {
  now(): number;
  /** Lets `ms` pass: a real sleep, or a virtual clock's advance. */
  sleep(ms: number): Promise<void>;
}

/** Wall-clock time: `Date.now` and `setTimeout`. */
export const realPace: Pace = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What a truthy check result can be. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

export interface EventuallyOptions {
  /** Gives up once this much time (on `pace`) has passed since the first try; default 2000 ms. */
  timeoutMs?: number;
  /** The pause between tries; default 10 ms. */
  intervalMs?: number;
  /** What is awaited, for the failure message; default the check's source text. */
  what?: string;
  /** More to tell on failure (e.g. a command's output), asked only then. */
  detail?: () => unknown;
  /** Default `realPace`. */
  pace?: Pace;
}

/**
 * Calls `check` until it returns a truthy value without throwing (or, given `accept`, a value
 * `accept` holds of), and returns that value. After `timeoutMs` it throws an Error naming
 * `what`, the time waited and the last error or value (plus `detail()`), so a failing spec
 * says what it saw instead.
 */
export function eventually<T>(check: () => T | Promise<T>, opts: EventuallyOptions & { accept: (value: T) => boolean }): Promise<T>;
export function eventually<T>(check: () => T | Promise<T>, opts?: EventuallyOptions): Promise<Truthy<T>>;
export async function eventually<T>(check: () => T | Promise<T>, opts: EventuallyOptions & { accept?: (value: T) => boolean } = {}): Promise<T> {
  const { timeoutMs = 2000, intervalMs = 10, pace = realPace, accept = Boolean } = opts;
  const start = pace.now();
  for (;;) {
    let last: { error: unknown } | { value: T };
    try {
      const value = await check();
      if (accept(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (pace.now() - start >= timeoutMs) throw new Error(await failure(check, opts, timeoutMs, last));
    await pace.sleep(intervalMs);
  }
}

async function failure(check: () => unknown, opts: EventuallyOptions, timeoutMs: number, last: { error: unknown } | { value: unknown }): Promise<string> {
  const what = opts.what ?? String(check).replace(/\s+/g, ' ');
  const seen = 'error' in last ? `last error: ${last.error instanceof Error ? last.error.message : String(last.error)}` : `last value: ${show(last.value)}`;
  const detail = opts.detail ? `\n${show(await opts.detail())}` : '';
  return `timed out after ${timeoutMs} ms waiting for ${what}; ${seen}${detail}`;
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v, null, 2) ?? String(v));
