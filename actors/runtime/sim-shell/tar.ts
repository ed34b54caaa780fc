/**
 * The ustar archives `kubectl cp` exchanges with `tar cf -` / `tar -xmf -` in a container:
 * a minimal reader and writer (regular files and directories; PAX `path` records are read,
 * other PAX and GNU records skipped), enough for the sim's in-memory files.
 */

/** One archive member: a directory has no data. */
export interface TarEntry {
  name: string;
  type: 'file' | 'dir';
  data?: Buffer;
  mode: number;
  mtime: number;
}

const BLOCK = 512;

/** The archive of `entries`, ended by two zero blocks. */
export function packTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === 'file' ? e.data ?? Buffer.alloc(0) : Buffer.alloc(0);
    parts.push(header(e, data.length), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  let name = e.type === 'dir' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, e.mode & 0o7777);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, Math.floor(e.mtime / 1000));
  h.write(e.type === 'dir' ? '5' : '0', 156, 1, 'ascii');
  h.write('ustar\u000000', 257, 8, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return h;
}

function octal(h: Buffer, at: number, len: number, n: number): void {
  h.write(`${n.toString(8).padStart(len - 1, '0')}\u0000`, at, len, 'ascii');
}

const text = (b: Buffer, at: number, len: number): string => {
  const s = b.subarray(at, at + len);
  const end = s.indexOf(0);
  return s.subarray(0, end < 0 ? len : end).toString('utf8');
};

const num = (b: Buffer, at: number, len: number): number => parseInt(text(b, at, len).trim() || '0', 8);

/** The members of an archive; throws on a header whose checksum is wrong (not a tar stream). */
export function unpackTar(buf: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let pos = 0;
  let longName: string | null = null;
  while (pos + BLOCK <= buf.length) {
    const h = buf.subarray(pos, pos + BLOCK);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== num(h, 148, 8)) throw new Error('This does not look like a tar archive');
    const size = num(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    const data = buf.subarray(pos + BLOCK, pos + BLOCK + size);
    pos += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1] ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    if (type !== '0' && type !== '\u0000' && type !== '5') continue;
    const prefix = text(h, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
    longName = null;
    const entry: TarEntry = { name: name.replace(/\/+$/, ''), type: type === '5' ? 'dir' : 'file', mode: num(h, 100, 8), mtime: num(h, 136, 12) * 1000 };
    if (entry.type === 'file') entry.data = Buffer.from(data);
    out.push(entry);
  }
  return out;
}
