/**
 * CPU profiles of a bench's main thread, taken through the inspector in the bench's own process
 * so that a profile covers the phase that matters (not the module loading and set-up, as
 * `node --cpu-prof` would) and a long phase can be cut into windows: what grows late in a run
 * shows as the difference between its first and its last window's profile. Each profile is a
 * V8 .cpuprofile (open it in Chrome DevTools' Performance panel); with allocations, a
 * .heapprofile beside it samples every allocation of the window, the garbage included (the
 * Memory panel's allocation sampling): what makes the collector work, not what stays.
 */
import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One profile at a time on this thread: start, then stop into a file; again if wanted. */
export class CpuProfiler {
  #session: Session | null = null;
  #running = false;
  /** `allocations`: sample allocations too (one sample per 32 KB allocated on average). */
  constructor(private readonly opts: { allocations?: boolean } = {}) {}

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    if (!this.#session) {
      this.#session = new Session();
      this.#session.connect();
      await this.#session.post('Profiler.enable');
      if (this.opts.allocations) await this.#session.post('HeapProfiler.enable');
    }
    await this.#session.post('Profiler.start');
    if (this.opts.allocations) {
      await this.#session.post('HeapProfiler.startSampling', { samplingInterval: 32_768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    }
  }

  /** Writes what was sampled since `start` to `file` (its directory made if missing), allocations to `file`'s .heapprofile. */
  async stop(file: string): Promise<void> {
    if (!this.#running || !this.#session) return;
    this.#running = false;
    const { profile } = await this.#session.post('Profiler.stop');
    const allocations = this.opts.allocations ? (await this.#session.post('HeapProfiler.stopSampling')).profile : null;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    if (allocations) writeFileSync(file.replace(/\.cpuprofile$/, '') + '.heapprofile', JSON.stringify(allocations));
  }

  close(): void {
    this.#session?.disconnect();
    this.#session = null;
    this.#running = false;
  }
}

/**
 * Profiles in windows of `every` done items (0: one window over the whole phase), written to
 * `dir/<tag>-<from>-<to>.cpuprofile` (and .heapprofile with allocations). `tick(done)` after progress; `stop(done)` at the end.
 */
export function profileWindows(dir: string, tag: string, every: number, opts: { allocations?: boolean } = {}): { tick(done: number): void; stop(done: number): Promise<void> } {
  const profiler = new CpuProfiler(opts);
  let from = 0;
  let chain = profiler.start();
  const cut = (to: number): void => {
    const file = `${dir}/${tag}-${from}-${to}.cpuprofile`;
    from = to;
    chain = chain.then(() => profiler.stop(file)).then(() => profiler.start());
  };
  return {
    tick(done) {
      if (every > 0 && done - from >= every) cut(from + every * Math.floor((done - from) / every));
    },
    async stop(done) {
      const file = `${dir}/${tag}-${from}-${done}.cpuprofile`;
      await chain.then(() => profiler.stop(file));
      profiler.close();
    },
  };
}
