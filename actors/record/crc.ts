import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array) => number;

let table: Uint32Array | undefined;

/** IEEE crc32 in plain TypeScript, for Node builds whose zlib has no `crc32` (before 20.15). */
function crc32Fallback(data: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[i] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** IEEE crc32 (the zip/PNG one): node:zlib's when present, the same function in TypeScript otherwise. */
export const crc32: Crc32 = native ? (d) => native(d) >>> 0 : crc32Fallback;
export { crc32Fallback };
