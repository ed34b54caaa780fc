import { PassThrough, Writable } from 'node:stream';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { StreamIO, TerminalSize } from '../runtime.ts';
import { SimFiles } from './files.ts';
import { put, runProcess, type SimProcess } from './shell.ts';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

interface Attacher {
  io: StreamIO;
  done: () => void;
}

/**
 * What a sim container has once someone reaches into it: its files, its environment, its
 * terminal size and, for a container created with `stdin: true`, its main process (the
 * container's command run by the sim shell, fed by attached clients). Built lazily, so the
 * 100k sim containers nobody execs into cost nothing.
 */
export class SimStdio {
  readonly files: SimFiles;
  #size: TerminalSize | null = null;
  readonly #sizeWaiters: Array<(s: TerminalSize) => void> = [];
  readonly #attached = new Set<Attacher>();
  /** The main process's stdin, while it runs. */
  #stdin: PassThrough | null = null;

  constructor(
    private readonly pod: Pod,
    private readonly spec: Container,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.files = new SimFiles(now);
  }

  /** A process of this container wired to `io` (exec) or to the main process's pipes. */
  process(io: Pick<StreamIO, 'stdin' | 'tty'> & { stdout: Writable; stderr: Writable }): SimProcess {
    const env: [string, string][] = [['PATH', PATH], ['HOSTNAME', this.hostname]];
    for (const e of this.spec.env ?? []) if (e.value !== undefined) env.push([e.name, e.value]);
    env.push(['HOME', '/root']);
    return {
      env, hostname: this.hostname, cwd: this.spec.workingDir || '/', files: this.files,
      stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, sleep: this.sleep,
      terminalSize: () => (!io.tty ? Promise.resolve(null) : this.#size ? Promise.resolve(this.#size) : new Promise((res) => this.#sizeWaiters.push(res))),
    };
  }

  resize(size: TerminalSize): void {
    this.#size = size;
    for (const w of this.#sizeWaiters.splice(0)) w(size);
  }

  /** Starts the main process of a `stdin: true` container; resolves with its exit code. */
  runMain(): Promise<number> {
    this.#stdin = new PassThrough();
    const out = this.#fanOut('stdout');
    const err = this.spec.tty ? out : this.#fanOut('stderr');
    // No command: the image's (busybox: no entrypoint, CMD sh), which `args` replace.
    const { command, args } = this.spec;
    const argv = command?.length ? [...command, ...(args ?? [])] : args?.length ? [...args] : ['sh'];
    return runProcess(argv, this.process({ stdin: this.#stdin, tty: this.spec.tty ?? false, stdout: out, stderr: err })).finally(() => this.stopMain());
  }

  /** The main process is gone (exited, or the container was killed): attached clients end. */
  stopMain(): void {
    this.#stdin?.destroy();
    this.#stdin = null;
    for (const a of [...this.#attached]) a.done();
  }

  /** Joins `io` to the main process until the container exits or the client leaves. */
  attach(io: StreamIO): Promise<void> {
    return new Promise((resolve) => {
      const a: Attacher = {
        io,
        done: () => {
          if (!this.#attached.delete(a)) return;
          io.stdout?.end();
          io.stderr?.end();
          resolve();
        },
      };
      this.#attached.add(a);
      io.onResize((s) => this.resize(s));
      for (const s of [io.stdout, io.stderr]) s?.once('close', a.done);
      // Without a main process (no `stdin`) there is nothing to feed: the client stays until the container exits.
      const stdin = this.#stdin;
      if (stdin && io.stdin && this.spec.stdin) {
        io.stdin.on('data', (chunk: Buffer) => { if (!stdin.write(chunk)) io.stdin!.pause(); });
        stdin.on('drain', () => io.stdin?.resume());
        io.stdin.once('end', () => { if (this.spec.stdinOnce) stdin.end(); });
      }
    });
  }

  get hostname(): string {
    return this.pod.spec?.hostname || this.pod.metadata?.name || '';
  }

  /** The main process's output goes to every attached client; without one it is dropped (no log yet). */
  #fanOut(which: 'stdout' | 'stderr'): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        const targets = [...this.#attached].map((a) => a.io[which] ?? (which === 'stderr' ? a.io.stdout : undefined)).filter((w) => w !== undefined);
        void Promise.all(targets.map((w) => put(w, chunk))).then(() => cb());
      },
    });
  }
}
