import { posix } from 'node:path';
import type { TarEntry } from './tar.ts';

interface Node {
  type: 'file' | 'dir';
  data?: Buffer;
  mode: number;
  mtime: number;
}

/** Directories every sim container starts with, as a busybox image has them. */
const BASE_DIRS = ['/', '/bin', '/etc', '/home', '/root', '/tmp', '/usr', '/var'];

/**
 * A sim container's file system: files and directories in memory, enough for `cat`,
 * `test` and `tar` (so `kubectl cp` works in and out). Paths are absolute after
 * `resolve`; a file's parents are directories, created as `tar -x` creates them.
 */
export class SimFiles {
  readonly #nodes = new Map<string, Node>();

  constructor(private readonly now: () => number) {
    for (const d of BASE_DIRS) this.#nodes.set(d, { type: 'dir', mode: 0o755, mtime: now() });
  }

  /** `p` made absolute against `cwd`, with `.` and `..` resolved (never above `/`). */
  static resolve(cwd: string, p: string): string {
    return posix.resolve('/', cwd, p);
  }

  kind(path: string): 'file' | 'dir' | null {
    return this.#nodes.get(path)?.type ?? null;
  }

  read(path: string): Buffer | null {
    const n = this.#nodes.get(path);
    return n?.type === 'file' ? n.data ?? Buffer.alloc(0) : null;
  }

  /** Writes a file, creating its parent directories; false when a parent is a file. */
  write(path: string, data: Buffer, mode = 0o644, mtime = this.now()): boolean {
    if (!this.mkdirs(posix.dirname(path))) return false;
    if (this.#nodes.get(path)?.type === 'dir') return false;
    this.#nodes.set(path, { type: 'file', data, mode, mtime });
    return true;
  }

  /** mkdir -p; false when a component is a file. */
  mkdirs(path: string): boolean {
    const parts = path.split('/').filter(Boolean);
    let at = '';
    for (const part of parts) {
      at = `${at}/${part}`;
      const n = this.#nodes.get(at);
      if (n?.type === 'file') return false;
      if (!n) this.#nodes.set(at, { type: 'dir', mode: 0o755, mtime: this.now() });
    }
    return true;
  }

  /** The entries under `path` (itself first), named relative to `/` as GNU tar names them. */
  entries(path: string): TarEntry[] {
    const out: TarEntry[] = [];
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const [p, n] of [...this.#nodes].sort(([a], [b]) => a.localeCompare(b))) {
      if (p !== path && !p.startsWith(prefix)) continue;
      if (p === '/') continue;
      const e: TarEntry = { name: p.slice(1), type: n.type, mode: n.mode, mtime: n.mtime };
      if (n.data) e.data = n.data;
      out.push(e);
    }
    return out;
  }

  /** The names directly in a directory, sorted. */
  list(path: string): string[] {
    const prefix = path === '/' ? '/' : `${path}/`;
    return [...this.#nodes.keys()].filter((p) => p !== path && p.startsWith(prefix) && !p.slice(prefix.length).includes('/')).map((p) => p.slice(prefix.length)).sort();
  }
}
