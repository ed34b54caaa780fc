import { Packr } from 'msgpackr';
import type { Envelope } from '../base/envelope.ts';

/**
 * The wire codec for envelopes that leave the process (NATS, recordings).
 *
 * msgpackr "records" are fast and small only with shared structures; but a Packr that
 * learns structures on its own makes two processes decode each other wrongly. So the
 * shared table is frozen and versioned here, every Packr gets a private copy with no room
 * to grow, and shapes outside the table are encoded inline (self-describing).
 *
 * Frame: one byte of protocol version, then the msgpack body.
 */
export const PROTOCOL_VERSION = 1;

/** Frozen shared structures of protocol version 1. Append-only within a version; a change means a new version. */
export const STRUCTURES_V1: readonly (readonly string[])[] = Object.freeze([
  ['seq', 'from', 'to', 'type', 'payload', 'at'],
  ['seq', 'from', 'to', 'type', 'payload', 'at', 'corr'],
  ['ok', 'value'],
  ['ok', 'status'],
  ['kind', 'apiVersion', 'metadata', 'status', 'code', 'reason', 'message'],
  ['kind', 'apiVersion', 'metadata', 'status', 'code', 'reason', 'message', 'details'],
  ['key', 'value', 'createRevision', 'modRevision', 'version'],
  ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  ['apiVersion', 'kind', 'metadata', 'spec'],
  ['apiVersion', 'kind', 'metadata', 'data'],
  ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'labels'],
  ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp'],
  ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'labels'],
  ['name', 'image'],
  ['type', 'status', 'lastProbeTime', 'lastTransitionTime'],
  ['type', 'status', 'lastTransitionTime'],
  ['type', 'object'],
].map((s) => Object.freeze(s)));

/** The error a peer of another protocol version gets: clear, never a garbled decode. */
export class ProtocolMismatch extends Error {
  constructor(readonly got: number) {
    super(`protocol version ${got} does not match this build's version ${PROTOCOL_VERSION}`);
  }
}

/** Makes a codec with a private, non-growing copy of the frozen table. */
export function createCodec(structures: readonly (readonly string[])[] = STRUCTURES_V1) {
  const copy = structures.map((s) => [...s]);
  const pristine = [...copy];
  const packr = new Packr({
    structures: copy,
    maxSharedStructures: copy.length,
    // Nothing may be saved: a process that learned a structure would encode what peers cannot decode.
    saveStructures: () => false,
    moreTypes: false,
    mapsAsObjects: true,
    useRecords: true,
  });
  return {
    /** Encodes any value (an envelope, a log entry) into one frame. */
    encode(value: unknown): Uint8Array {
      const body = packr.pack(value);
      const frame = new Uint8Array(body.length + 1);
      frame[0] = PROTOCOL_VERSION;
      frame.set(body, 1);
      return frame;
    },
    /** Decodes a frame; throws ProtocolMismatch on another version, and msgpackr's error on garbage. */
    decode(frame: Uint8Array): unknown {
      if (frame.length < 2) throw new Error(`frame of ${frame.length} byte(s) is too short`);
      if (frame[0] !== PROTOCOL_VERSION) throw new ProtocolMismatch(frame[0]!);
      try {
        return packr.unpack(frame.subarray(1));
      } finally {
        forgetInlineStructures(copy, pristine);
      }
    },
  };
}

/**
 * A frame may define a record structure inline, under any id, the table's included; msgpackr
 * keeps such a definition after the frame, so one 15-byte message from any peer redefined
 * the envelope's structure for good and every later frame decoded wrongly (found by
 * spec/bus/nats-fuzz.property.spec.ts). After each frame the table is put back: the frozen
 * structures in their slots (the same arrays, so msgpackr's compiled readers stay), nothing
 * beyond them.
 */
function forgetInlineStructures(table: string[][], pristine: readonly string[][]): void {
  if (table.length !== pristine.length) table.length = pristine.length;
  for (let i = 0; i < pristine.length; i++) if (table[i] !== pristine[i]) table[i] = pristine[i]!;
}

export type Codec = ReturnType<typeof createCodec>;

/** True when `x` has every field of an envelope with the right primitive types (the payload is checked by the catalogue). */
export function isEnvelopeShape(x: unknown): x is Envelope {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return (
    typeof e.seq === 'number' &&
    typeof e.from === 'string' &&
    typeof e.to === 'string' &&
    typeof e.type === 'string' &&
    typeof e.at === 'number' &&
    'payload' in e &&
    (e.corr === undefined || typeof e.corr === 'string')
  );
}
