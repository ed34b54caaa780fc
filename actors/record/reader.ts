import { existsSync, readFileSync } from 'node:fs';
import { PROTOCOL_VERSION } from '../../bus/codec.ts';
import { BodyCodec } from './body.ts';
import { crc32 } from './crc.ts';
import { FRAME_HEAD, LOG_FORMAT_VERSION, partPath, READABLE_FORMATS, type LogEntry, type LogHeader } from './format.ts';

/** What reading a log found; problems are data (`warnings`), never exceptions, so a damaged log still shows what it holds. */
export interface ReadLog {
  file: string;
  /** One header per part read. */
  headers: LogHeader[];
  entries: LogEntry[];
  /** Torn tails cut, parts that could not be read, entries that did not decode. */
  warnings: string[];
}

/** Splits one part into frame bodies, stopping at the first frame that is not whole. */
export function* frames(buf: Uint8Array, name: string, warn: (w: string) => void): Generator<Uint8Array> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < FRAME_HEAD) return warn(`${name}: torn frame at byte ${off} (${buf.length - off} byte(s) of a frame head); cut`);
    const len = view.getUint32(off, true);
    const sum = view.getUint32(off + 4, true);
    if (off + FRAME_HEAD + len > buf.length) {
      return warn(`${name}: torn frame at byte ${off} (${len} byte body, ${buf.length - off - FRAME_HEAD} present); cut`);
    }
    const body = buf.subarray(off + FRAME_HEAD, off + FRAME_HEAD + len);
    if (crc32(body) !== sum) return warn(`${name}: bad checksum in frame at byte ${off}; cut here (${buf.length - off} byte(s) dropped)`);
    yield body;
    off += FRAME_HEAD + len;
  }
}

/** Reads one part: its header and entries. A part without a readable header yields nothing but a warning. */
export function readPart(path: string, warn: (w: string) => void): { header: LogHeader; entries: LogEntry[] } | null {
  let buf: Uint8Array;
  try {
    buf = readFileSync(path);
  } catch (err) {
    warn(`${path}: ${(err as Error).message}`);
    return null;
  }
  const it = frames(buf, path, warn);
  const first = it.next();
  if (first.done) {
    warn(`${path}: no header frame`);
    return null;
  }
  let header: LogHeader;
  try {
    header = JSON.parse(Buffer.from(first.value).toString('utf8')) as LogHeader;
    if (header.kind !== 'header') throw new Error('first frame is not a header');
  } catch (err) {
    warn(`${path}: unreadable header: ${(err as Error).message}`);
    return null;
  }
  if (!READABLE_FORMATS.includes(header.format) || header.protocol !== PROTOCOL_VERSION) {
    warn(`${path}: log format ${header.format}/protocol ${header.protocol}; this build reads formats ${READABLE_FORMATS.join(' and ')} (writes ${LOG_FORMAT_VERSION}) with protocol ${PROTOCOL_VERSION}`);
    return null;
  }
  const codec = new BodyCodec(header.structures, header.format);
  const entries: LogEntry[] = [];
  for (const body of it) {
    try {
      entries.push(codec.decode(body) as LogEntry);
    } catch (err) {
      warn(`${path}: entry after n=${entries.at(-1)?.n ?? 0} does not decode (${(err as Error).message}); cut`);
      break;
    }
  }
  return { header, entries };
}

/**
 * Reads a log and its rotated parts (`FILE`, `FILE.1`, …) in order. `FILE` may also name
 * a single part (`run.log.3`): then only that part is read.
 */
export function readLog(file: string): ReadLog {
  const out: ReadLog = { file, headers: [], entries: [], warnings: [] };
  const warn = (w: string): void => void out.warnings.push(w);
  for (let k = 0; k === 0 || existsSync(partPath(file, k)); k++) {
    const part = readPart(partPath(file, k), warn);
    if (part === null) {
      if (k === 0) return out;
      continue;
    }
    out.headers.push(part.header);
    for (const e of part.entries) out.entries.push(e);
  }
  return out;
}
