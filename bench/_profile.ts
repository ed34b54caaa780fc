/**
 * CPU profiles of a bench's main thread, taken through the inspector in the bench's own process
 * so that a profile covers the phase that matters (not the module loading and set-up, as
 * `node --cpu-prof` would) and a long phase can be cut into windows: what grows late in a run
 * shows as the difference between its first and its last window's profile. Each profile is a
 * V8 .cpuprofile (open it in Chrome DevTools' Performance panel).
 */
import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One profile at a time on this thread: start, then stop into a file; again if wanted. */
export class CpuProfiler {
  #session: Session | null = null;
  #running = false;

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    if (!this.#session) {
      this.#session = new Session();
      this.#session.connect();
      await this.#session.post('Profiler.enable');
    }
    await this.#session.post('Profiler.start');
  }

  /** Writes what was sampled since `start` to `file` (its directory made if missing). */
  async stop(file: string): Promise<void> {
    if (!this.#running || !this.#session) return;
    this.#running = false;
    const { profile } = await this.#session.post('Profiler.stop');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
  }

  close(): void {
    this.#session?.disconnect();
    this.#session = null;
    this.#running = false;
  }
}

/**
 * Profiles in windows of `every` done items (0: one window over the whole phase), written to
 * `dir/<tag>-<from>-<to>.cpuprofile`. `tick(done)` after progress; `stop(done)` at the end.
 */
export function profileWindows(dir: string, tag: string, every: number): { tick(done: number): void; stop(done: number): Promise<void> } {
  const profiler = new CpuProfiler();
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
