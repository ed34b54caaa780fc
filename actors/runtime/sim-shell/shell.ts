/**
 * The commands a sim container answers (`kubectl exec`, and the main process of a container
 * created with `stdin: true`): echo, cat, env/printenv, hostname, pwd, ls, mkdir, test/[,
 * sleep, true/false, exit, stty size, tail -c+N, tar (c and x, for `kubectl cp`) and sh (-c
 * SCRIPT, or commands read line by line from stdin). Output respects back-pressure: a
 * write that returns false waits for 'drain'.
 */
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { posix } from 'node:path';
import type { TerminalSize } from '../runtime.ts';
import type { SimFiles } from './files.ts';
import { SimFiles as Files } from './files.ts';
import { parseScript } from './parse.ts';
import { packTar, unpackTar } from './tar.ts';

/** What one sim process sees. */
export interface SimProcess {
  env: ReadonlyArray<readonly [string, string]>;
  hostname: string;
  cwd: string;
  files: SimFiles;
  stdin?: Readable | undefined;
  stdout: Writable;
  stderr: Writable;
  /** Waits on the runtime's clock. */
  sleep(ms: number): Promise<void>;
  /** The terminal's size once known (tty sessions), else null. */
  terminalSize(): Promise<TerminalSize | null>;
}

type Command = (args: string[], p: SimProcess) => Promise<number>;

/** Whether `name` (or its basename: /bin/sh) is a command the sim knows. */
export function isSimCommand(name: string): boolean {
  return Object.hasOwn(COMMANDS, posix.basename(name));
}

/** Runs one process to its exit code; an unknown command is sh's "not found" (127). */
export async function runProcess(argv: readonly string[], p: SimProcess): Promise<number> {
  try {
    return await runSim(argv, p);
  } catch (err) {
    if (err instanceof ExitSignal) return err.code;
    throw err;
  }
}

async function runSim(argv: readonly string[], p: SimProcess): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) return 0;
  const cmd = COMMANDS[posix.basename(name)];
  if (!cmd) {
    await put(p.stderr, `sh: ${name}: not found\n`);
    return 127;
  }
  try {
    return await cmd(args, p);
  } catch (err) {
    if (err instanceof ExitSignal) throw err;
    await put(p.stderr, `${posix.basename(name)}: ${err instanceof Error ? err.message : String(err)}\n`).catch(() => {});
    return 1;
  }
}

/** `exit N` inside a script: unwinds to the sh running it. */
class ExitSignal {
  constructor(readonly code: number) {}
}

/** Writes, then waits for 'drain' when the stream asked it to (or it closed). */
export function put(w: Writable, data: string | Buffer): Promise<void> {
  if (w.destroyed || w.writableEnded) return Promise.resolve();
  if (w.write(data)) return Promise.resolve();
  return new Promise((res) => {
    const done = () => {
      w.off('drain', done);
      w.off('close', done);
      res();
    };
    w.on('drain', done);
    w.on('close', done);
  });
}

async function readAll(r: Readable | undefined): Promise<Buffer> {
  if (!r) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for await (const chunk of r) parts.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(parts);
}

const path = (p: SimProcess, arg: string): string => Files.resolve(p.cwd, arg);

const COMMANDS: Record<string, Command> = {
  true: async () => 0,
  false: async () => 1,
  echo: async (args, p) => {
    const n = args[0] === '-n';
    await put(p.stdout, `${(n ? args.slice(1) : args).join(' ')}${n ? '' : '\n'}`);
    return 0;
  },
  hostname: async (_args, p) => (await put(p.stdout, `${p.hostname}\n`), 0),
  pwd: async (_args, p) => (await put(p.stdout, `${p.cwd}\n`), 0),
  env: async (_args, p) => (await put(p.stdout, p.env.map(([k, v]) => `${k}=${v}\n`).join('')), 0),
  printenv: async (args, p) => {
    if (args.length === 0) return COMMANDS.env!(args, p);
    const found = args.map((a) => p.env.find(([k]) => k === a)).filter((e) => e !== undefined);
    await put(p.stdout, found.map(([, v]) => `${v}\n`).join(''));
    return found.length === args.length ? 0 : 1;
  },
  cat: async (args, p) => {
    if (args.length === 0 || (args.length === 1 && args[0] === '-')) {
      if (p.stdin) for await (const chunk of p.stdin) await put(p.stdout, chunk as Buffer);
      return 0;
    }
    let code = 0;
    for (const a of args) {
      const at = path(p, a);
      const data = p.files.read(at);
      if (data) await put(p.stdout, data);
      else {
        await put(p.stderr, `cat: can't open '${a}': ${p.files.kind(at) === 'dir' ? 'Is a directory' : 'No such file or directory'}\n`);
        code = 1;
      }
    }
    return code;
  },
  ls: async (args, p) => {
    const at = path(p, args.find((a) => !a.startsWith('-')) ?? '.');
    const kind = p.files.kind(at);
    if (!kind) return (await put(p.stderr, `ls: ${at}: No such file or directory\n`), 1);
    await put(p.stdout, kind === 'dir' ? p.files.list(at).map((n) => `${n}\n`).join('') : `${at}\n`);
    return 0;
  },
  mkdir: async (args, p) => {
    for (const a of args.filter((x) => !x.startsWith('-'))) if (!p.files.mkdirs(path(p, a))) return (await put(p.stderr, `mkdir: can't create directory '${a}': Not a directory\n`), 1);
    return 0;
  },
  test: async (args, p) => (testExpr(args, p) ? 0 : 1),
  '[': async (args, p) => (args.at(-1) === ']' ? (testExpr(args.slice(0, -1), p) ? 0 : 1) : 2),
  sleep: async (args, p) => {
    const s = args[0] === 'infinity' ? Number.POSITIVE_INFINITY : Number(args[0]);
    if (!Number.isFinite(s) && s !== Number.POSITIVE_INFINITY) return (await put(p.stderr, `sleep: invalid number '${args[0] ?? ''}'\n`), 1);
    if (s === Number.POSITIVE_INFINITY) await new Promise<void>(() => {});
    await p.sleep(s * 1000);
    return 0;
  },
  exit: async (args) => {
    throw new ExitSignal(Number(args[0] ?? 0) & 0xff);
  },
  stty: async (args, p) => {
    if (args[0] !== 'size') return 0;
    const size = await p.terminalSize();
    if (!size) return (await put(p.stderr, `stty: standard input: Not a tty\n`), 1);
    await put(p.stdout, `${size.height} ${size.width}\n`);
    return 0;
  },
  tail: async (args, p) => {
    const m = /^\+?(\d+)$/.exec(args[0] === '-c' ? args[1] ?? '' : args[0]?.replace(/^-c/, '') ?? '');
    if (!m) return (await put(p.stderr, 'tail: only -c+N is supported here\n'), 1);
    const data = await readAll(p.stdin);
    await put(p.stdout, data.subarray(Math.max(0, Number(m[1]) - 1)));
    return 0;
  },
  tar: async (args, p) => tar(args, p),
  sh: async (args, p) => {
    if (args[0] === '-c') return script(args[1] ?? '', p);
    if (!p.stdin) return 0;
    // Interactive: each line of stdin is a script of its own.
    let code = 0;
    let rest = '';
    for await (const chunk of p.stdin) {
      rest += (chunk as Buffer).toString('utf8');
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        try {
          code = await script(line, { ...p, stdin: undefined });
        } catch (err) {
          if (err instanceof ExitSignal) return err.code;
          throw err;
        }
      }
    }
    return code;
  },
};

function testExpr(args: string[], p: SimProcess): boolean {
  if (args[0] === '!') return !testExpr(args.slice(1), p);
  const [a, b, c] = args;
  if (args.length === 2) {
    const kind = p.files.kind(path(p, b!));
    if (a === '-d') return kind === 'dir';
    if (a === '-f') return kind === 'file';
    if (a === '-e') return kind !== null;
    if (a === '-z') return b === '';
    if (a === '-n') return b !== '';
  }
  if (args.length === 3 && (b === '=' || b === '==')) return a === c;
  if (args.length === 3 && b === '!=') return a !== c;
  return args.length === 1 && a !== '';
}

/** Runs a script (`sh -c`): steps joined by ; && ||, pipelines joined by |. */
async function script(text: string, p: SimProcess): Promise<number> {
  const steps = parseScript(text, (name) => p.env.find(([k]) => k === name)?.[1] ?? '');
  let code = 0;
  let skip = false;
  try {
    for (const step of steps) {
      if (!skip) code = await pipeline(step.pipeline, p);
      skip = (step.then === '&&' && code !== 0) || (step.then === '||' && code === 0);
    }
  } catch (err) {
    if (err instanceof ExitSignal) return err.code;
    throw err;
  }
  return code;
}

async function pipeline(cmds: string[][], p: SimProcess): Promise<number> {
  let stdin = p.stdin;
  const runs: Promise<number>[] = [];
  cmds.forEach((argv, i) => {
    const last = i === cmds.length - 1;
    const out = last ? p.stdout : new PassThrough();
    runs.push(runSim(argv, { ...p, stdin, stdout: out }).finally(() => void (last || out.end())));
    stdin = last ? stdin : (out as PassThrough);
  });
  return (await Promise.all(runs)).at(-1)!;
}

/** tar c or x with `f -` (stdin/stdout), `-C DIR`; what `kubectl cp` runs. */
async function tar(args: string[], p: SimProcess): Promise<number> {
  const [flags = '', ...rest] = args;
  const mode = flags.replace(/^-/, '');
  if (mode.includes('f') && rest.shift() !== '-') return (await put(p.stderr, 'tar: only the archive "-" (stdin / stdout) is supported here\n'), 2);
  let dir = p.cwd;
  const names: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '-C') dir = path(p, rest[++i] ?? '.');
    else if (!rest[i]!.startsWith('-')) names.push(rest[i]!);
  }
  if (mode.includes('c')) {
    const entries = [];
    for (const n of names) {
      const at = Files.resolve(dir, n);
      if (!p.files.kind(at)) return (await put(p.stderr, `tar: ${n}: No such file or directory\n`), 2);
      entries.push(...p.files.entries(at));
    }
    if (names.some((n) => n.startsWith('/'))) await put(p.stderr, `tar: removing leading '/' from member names\n`);
    await put(p.stdout, packTar(entries));
    return 0;
  }
  if (mode.includes('x')) {
    const entries = unpackTar(await readAll(p.stdin));
    for (const e of entries) {
      const at = Files.resolve(dir, e.name);
      if (!at.startsWith(dir === '/' ? '/' : `${dir}/`)) continue;
      const fine = e.type === 'dir' ? p.files.mkdirs(at) : p.files.write(at, e.data ?? Buffer.alloc(0), e.mode || 0o644);
      if (!fine) return (await put(p.stderr, `tar: can't open '${e.name}': Not a directory\n`), 2);
    }
    return 0;
  }
  await put(p.stderr, 'tar: need one of c or x\n');
  return 2;
}
