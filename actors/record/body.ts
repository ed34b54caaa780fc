import { Packr } from 'msgpackr';
import { PROTOCOL_VERSION, STRUCTURES_V1 } from '../../bus/codec.ts';
import { decodeWith, type Interned } from './intern.ts';

/**
 * The log's structures table: the bus codec's frozen table, then the shapes of log entries
 * (keys in the order the recorder writes them) and of the payloads most entries carry.
 * The header carries it, and a reader decodes with the header's copy, never its own.
 */
export const LOG_STRUCTURES: readonly (readonly string[])[] = Object.freeze([
  ...STRUCTURES_V1,
  ['kind', 'at', 'seq', 'from', 'to', 'type', 'payload', 'corr', 'turn', 'n'],
  ['kind', 'at', 'seq', 'from', 'to', 'type', 'payload', 'turn', 'n'],
  ['kind', 'at', 'seq', 'from', 'to', 'type', 'payload', 'sentAt', 'corr', 'turn', 'n'],
  ['kind', 'at', 'seq', 'from', 'to', 'type', 'payload', 'sentAt', 'turn', 'n'],
  ['kind', 'at', 'actor', 'to', 'data', 'turn', 'n'],
  ['kind', 'at', 'actor', 'action', 'data', 'turn', 'n'],
  ['kind', 'at', 'actor', 'event', 'turn', 'n'],
  ['kind', 'at', 'actor', 'snapshot', 'turn', 'n'],
  ['kind', 'at', 'address', 'machine', 'events', 'input', 'seed', 'turn', 'n'],
  ['kind', 'at', 'address', 'machine', 'seed', 'input', 'turn', 'n'],
  ['kind', 'at', 'timer', 'actor', 'turn', 'n'],
  ['id', 'events'],
  ['type', 'kv'],
  ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1'],
].map((s) => Object.freeze([...s])));

/**
 * A Packr on a private, non-growing copy of `structures` (as bus/codec.ts makes them).
 * `sequential`: a shape outside the table is defined inline the first time it is written
 * in the part and referenced after (msgpackr's sequential mode); a reader decodes the
 * part's values in order, so it knows each shape before its first use.
 */
function packrFor(structures: readonly (readonly string[])[], sequential: boolean): Packr {
  const copy = structures.map((s) => [...s]);
  return new Packr({ structures: copy, maxSharedStructures: copy.length, saveStructures: () => false, moreTypes: false, mapsAsObjects: true, useRecords: true, sequential });
}

/**
 * Encodes and decodes the entry bodies of one log part, in order. A body (format 2) is the
 * protocol byte, then a sequence of msgpack values: the definitions the entry introduces,
 * in id order, then the entry; record shapes outside the table are defined once per part.
 * Format 1 bodies are one self-contained value each.
 */
export class BodyCodec {
  readonly #packr: Packr;
  /** Interned values defined so far in this part (reader side), by id. */
  readonly #table: unknown[] = [];

  /** `format`: the log format of the part (1: each body stands alone; 2: a sequential stream with definitions). */
  constructor(structures: readonly (readonly string[])[] = LOG_STRUCTURES, format = 2) {
    this.#packr = packrFor(structures, format >= 2);
  }

  /**
   * One body. `head`: bytes left free before it (the writer's frame head), so the frame is
   * one allocation and one copy of the packed values.
   */
  encode({ defs, value }: Interned, head = 0): Uint8Array {
    // In stream order: a sequential packr defines a new shape where it first writes it.
    const parts: Uint8Array[] = [];
    let length = head + 1;
    for (const d of defs) {
      const p = this.#packr.pack(d);
      parts.push(p);
      length += p.length;
    }
    const last = this.#packr.pack(value);
    parts.push(last);
    length += last.length;
    const out = Buffer.allocUnsafe(length);
    out.fill(0, 0, head);
    out[head] = PROTOCOL_VERSION;
    let at = head + 1;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Decodes one body, adding its definitions to the part's table; throws on garbage or a dangling reference. */
  decode(body: Uint8Array): unknown {
    if (body.length < 2) throw new Error(`body of ${body.length} byte(s) is too short`);
    if (body[0] !== PROTOCOL_VERSION) throw new Error(`protocol version ${body[0]} does not match this build's version ${PROTOCOL_VERSION}`);
    const table = this.#table;
    const before = table.length;
    try {
      // Each value is pushed as it is decoded, so the values after it can reference it; the last is the entry.
      decodeWith(table, () => this.#packr.unpackMultiple(body.subarray(1), (v: unknown) => void table.push(v)));
    } catch (err) {
      table.length = before;
      throw err;
    }
    if (table.length === before) throw new Error('empty body');
    return table.pop();
  }
}
