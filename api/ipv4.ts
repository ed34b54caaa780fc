/**
 * IPv4 arithmetic shared by the apiserver's service-IP allocator and the kubelet's pod
 * ranges: addresses and CIDRs as integers. Pure.
 */

/** An IPv4 CIDR as integers: `base` is the network address. */
export interface Cidr {
  base: number;
  bits: number;
  size: number;
}

export function parseIp(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

export const formatIp = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** Parses `a.b.c.d/n`; throws on anything else (configuration, not input). */
export function parseCidr(cidr: string): Cidr {
  const [ip, bitsText] = cidr.split('/');
  const addr = ip === undefined ? null : parseIp(ip);
  const bits = Number(bitsText);
  if (addr === null || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  const size = 2 ** (32 - bits);
  return { base: addr - (addr % size), bits, size };
}

export const formatCidr = (c: Cidr): string => `${formatIp(c.base)}/${c.bits}`;

/** The highest host address of a CIDR (the one before its broadcast address). */
export function lastHost(cidr: string): string {
  const c = parseCidr(cidr);
  return formatIp(c.base + c.size - 2);
}
