/**
 * Seeded sources of chance and ids. Actors get these instead of `Math.random` and
 * `crypto.randomUUID`, so a run is a function of its seed and its inputs and replays
 * exactly. Not cryptographic: never use them for secrets or tokens.
 */

/** A generator of uniformly distributed unsigned 32-bit integers. */
export type Prng = () => number;

/** splitmix32's output step: a bijective 32-bit mixer with full avalanche. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/**
 * xoshiro128** (Blackman and Vigna): 128 bits of state, period 2^128 - 1, fast in
 * 32-bit integer arithmetic. The state is filled from the seed by splitmix32, so nearby
 * seeds give unrelated streams.
 */
export function xoshiro128(seed: number): Prng {
  let s = seed >>> 0;
  const next = (): number => mix32((s = (s + 0x9e3779b9) >>> 0));
  let a = next(), b = next(), c = next(), d = next();
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is a fixed point
  return () => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r;
  };
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** Uniform floats in [0, 1) with 32 bits of resolution. */
export function seededRandom(seed: number): () => number {
  const next = xoshiro128(seed);
  return () => next() / 4294967296;
}

/** The character codes of '0'…'9', 'a'…'f'. */
const HEX_CODES = Array.from('0123456789abcdef', (ch) => ch.charCodeAt(0));
/** Where the hyphens of an 8-4-4-4-12 id go. */
const HYPHENS = new Set([8, 13, 18, 23]);

/**
 * Ids shaped like RFC 4122 version-4 UUIDs (lower-case, 8-4-4-4-12, version nibble 4,
 * variant bits 10), as Kubernetes uses for `metadata.uid`; 122 bits come from the stream.
 *
 * The id is made from its 36 character codes in one call, so it is one flat string of
 * about 56 bytes: joining hex pieces made a rope of nine parts (about 400 bytes), and every
 * stored object, Event and watch event keeps its uid for as long as it lives.
 */
export function seededIds(seed: number): () => string {
  const next = xoshiro128(seed);
  const codes = new Array<number>(36);
  return () => {
    const words = [next(), ((next() & 0xffff0fff) | 0x00004000) >>> 0, ((next() & 0x3fffffff) | 0x80000000) >>> 0, next()];
    for (let i = 0, nibble = 0; i < 36; i++) {
      if (HYPHENS.has(i)) { codes[i] = 45; continue; }
      const word = words[nibble >>> 3]!;
      codes[i] = HEX_CODES[(word >>> (28 - 4 * (nibble & 7))) & 15]!;
      nibble++;
    }
    return String.fromCharCode(...codes);
  };
}

/** FNV-1a over the string's UTF-16 code units: stable on every platform and run. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The seed of one actor's sources: the host seed mixed with a stable hash of the address,
 * so every address gets its own stream and adding an actor does not shift any other's.
 */
export function seedFor(hostSeed: number, address: string): number {
  return mix32((fnv1a(address) ^ mix32(hostSeed >>> 0)) >>> 0);
}
