import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
/** `--import` this to run a .ts file in a child process (cli/loader). */
export const LOADER = new URL('../../cli/loader/register.mjs', import.meta.url).href;

// A spec that fails half-way must not leave clusters running (holding ports, eating CPU).
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A `kubeactor` process started by a spec, with everything it printed so far. */
export interface CliProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output contains `text`; rejects after `timeoutMs` or if the process exits first. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code once the process ends by itself. */
  exited(): Promise<number | null>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the real `kubeactor` command (cli/bin.js) with `args`. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('close', () => running.delete(child));
  // The child and its pipes hold this process open only while a spec waits on them: a spec that
  // failed half-way still ends, and the exit hook above kills what it left running.
  const handles = [child, child.stdout, child.stderr] as unknown as { ref(): void; unref(): void }[];
  let holds = 0;
  const hold = <T>(p: Promise<T>): Promise<T> => {
    if (holds++ === 0) for (const h of handles) h.ref();
    return p.finally(() => {
      if (--holds === 0) for (const h of handles) h.unref();
    });
  };
  for (const h of handles) h.unref();
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let done = false;
  exited.then(() => {
    done = true;
    for (const w of waiters) w();
  });
  return {
    child,
    output: () => out,
    waitFor(text, timeoutMs = 20_000) {
      return hold(new Promise((resolve, reject) => {
        const matches = () => (typeof text === 'string' ? out.includes(text) : text.test(out));
        const timer = setTimeout(() => finish(new Error(`timed out waiting for ${text}; output:\n${out}`)), timeoutMs);
        const check = () => {
          if (matches()) finish();
          else if (done) finish(new Error(`process exited before printing ${text}; output:\n${out}`));
        };
        const finish = (err?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          err ? reject(err) : resolve();
        };
        waiters.add(check);
        check();
      }));
    },
    exited: () => hold(exited),
    async stop(signal = 'SIGTERM') {
      if (!done) child.kill(signal);
      return hold(exited);
    },
  };
}

/** Sends `signal` to a CLI process by PID, SIGKILL if it has not exited after `graceMs`; resolves with the exit code. */
export async function stopWithin(p: CliProcess, signal: NodeJS.Signals, graceMs = 10_000): Promise<number | null> {
  const timer = setTimeout(() => p.child.pid && p.child.exitCode === null && process.kill(p.child.pid, 'SIGKILL'), graceMs);
  try {
    return await p.stop(signal);
  } finally {
    clearTimeout(timer);
  }
}
