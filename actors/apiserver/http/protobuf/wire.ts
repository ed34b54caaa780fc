/**
 * Protocol-buffer wire decoding: a message's bytes as a list of (field number, wire type,
 * value). Typed clients in kubectl (create deployment|namespace|configmap|secret, ...)
 * send Kubernetes objects this way and do not fall back to JSON.
 */

export type WireValue =
  | { no: number; wire: 0; value: bigint }
  | { no: number; wire: 1; value: Buffer }
  | { no: number; wire: 2; value: Buffer }
  | { no: number; wire: 5; value: Buffer };

/** Thrown on bytes that are not a well-formed message; the caller turns it into a 400. */
export class WireError extends Error {}

function varint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = pos; i < buf.length && i < pos + 10; i++) {
    const b = buf[i]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  throw new WireError(`truncated varint at byte ${pos}`);
}

/** Splits a message into its fields, in order (repeated fields appear once per element). */
export function readFields(buf: Buffer): WireValue[] {
  const out: WireValue[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = varint(buf, pos);
    pos = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    switch (wire) {
      case 0: {
        const [v, after] = varint(buf, pos);
        out.push({ no, wire, value: v });
        pos = after;
        break;
      }
      case 1:
      case 5: {
        const len = wire === 1 ? 8 : 4;
        if (pos + len > buf.length) throw new WireError(`truncated fixed field ${no} at byte ${pos}`);
        out.push({ no, wire, value: buf.subarray(pos, pos + len) });
        pos += len;
        break;
      }
      case 2: {
        const [len, after] = varint(buf, pos);
        const end = after + Number(len);
        if (end > buf.length) throw new WireError(`truncated field ${no} at byte ${pos}`);
        out.push({ no, wire, value: buf.subarray(after, end) });
        pos = end;
        break;
      }
      default:
        throw new WireError(`unsupported wire type ${wire} for field ${no} at byte ${pos}`);
    }
  }
  return out;
}

/** A varint as a signed 64-bit number (proto int32/int64 encode negatives in ten bytes). */
export const toInt = (v: bigint): number => Number(BigInt.asIntN(64, v));
