/**
 * The few DER (ASN.1) encoders an X.509 certificate needs. kubectl sends its bearer token
 * only over TLS, so the front needs a certificate, and node:crypto can sign but cannot
 * build one.
 */
import { rfc3339 } from '../../../../api/time.ts';

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A tag-length-value with the given tag byte. */
export function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
export const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
export const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
/** Context-specific constructed [n] (explicit tagging). */
export const explicit = (n: number, body: Buffer): Buffer => tlv(0xa0 | n, body);
/** Context-specific primitive [n] (implicit tagging of a primitive, e.g. SAN entries). */
export const implicit = (n: number, body: Buffer): Buffer => tlv(0x80 | n, body);

/** A non-negative INTEGER from big-endian bytes (a leading zero keeps it positive). */
export function uint(bytes: Buffer): Buffer {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  if ((b[0]! & 0x80) !== 0) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

/** A BIT STRING with no unused bits. */
export const bits = (b: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const stack: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) stack.unshift((v & 0x7f) | 0x80);
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime for years before 2050, GeneralizedTime after (RFC 5280 4.1.2.5). */
export function time(d: Date): Buffer {
  const iso = rfc3339(d.getTime()).replace(/[-:TZ]/g, '') + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

/** A Name with one CN attribute. */
export const name = (cn: string): Buffer => seq(set(seq(oid('2.5.4.3'), utf8(cn))));

/** One extension: OID, critical flag, DER value wrapped in an OCTET STRING. */
export const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));

/**
 * A user's Name as Go's pkix.Name writes one: the O values (groups), then the CN (user),
 * each its own RDN, UTF8String.
 */
export const userName = (cn: string, organizations: readonly string[]): Buffer =>
  seq(...organizations.map((o) => set(seq(oid('2.5.4.10'), utf8(o)))), set(seq(oid('2.5.4.3'), utf8(cn))));
