/**
 * Kubernetes' CEL IP, CIDR and URL libraries (k8s.io/apiserver/pkg/cel/library ip.go,
 * cidr.go, url.go): `isIP`, `ip(…)`, `isCIDR`, `cidr(…).containsIP(…)`, `isURL`,
 * `url(…).getHost()` and their members. Addresses are parsed as Go's netip does: no
 * leading zeros in IPv4, no zones, no IPv4-mapped IPv6 for `ip()`.
 */
import type { Environment } from '@marcbachmann/cel-js';

/** An IP address in CEL: its family and its bits. */
export class IP {
  constructor(readonly family: 4 | 6, readonly bits: bigint, readonly text: string) {}
}

/** A CIDR in CEL: its (unmasked) address and prefix length. */
export class CIDR {
  constructor(readonly ip: IP, readonly prefix: number, readonly text: string) {}
}

/** A URL in CEL. */
export class URLValue {
  constructor(readonly url: URL) {}
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function parseV4(s: string): bigint | null {
  return V4.test(s) ? s.split('.').reduce((a, o) => (a << 8n) | BigInt(o), 0n) : null;
}

function parseV6(s: string): bigint | null {
  if (!s.includes(':') || s.includes('%')) return null;
  let head = s;
  let tail4: bigint | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail4 = parseV4(s.slice(lastColon + 1));
    if (tail4 === null) return null;
    head = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - left.length - right.length;
  if ((halves.length === 2 && fill < 1) || (halves.length === 1 && fill !== 0)) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...right];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  let v = all.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tail4 !== null) v = (v & ~0xffffffffn) | tail4;
  return v;
}

function parseIP(s: string): IP | null {
  const v4 = parseV4(s);
  if (v4 !== null) return new IP(4, v4, s);
  const v6 = parseV6(s);
  if (v6 === null) return null;
  // An IPv4-mapped IPv6 address is refused, as Kubernetes refuses it.
  if (v6 >> 32n === 0xffffn) return null;
  return new IP(6, v6, s);
}

function parseCIDR(s: string): CIDR | null {
  const [addr, len, extra] = s.split('/');
  if (extra !== undefined || len === undefined || !/^(0|[1-9]\d{0,2})$/.test(len)) return null;
  const ip = parseIP(addr!);
  if (!ip || Number(len) > (ip.family === 4 ? 32 : 128)) return null;
  return new CIDR(ip, Number(len), s);
}

function must<T>(v: T | null, what: string, s: string): T {
  if (v === null) throw new Error(`${what} '${s}' is not a valid ${what}`);
  return v;
}

const width = (ip: IP): bigint => (ip.family === 4 ? 32n : 128n);
const mask = (ip: IP, prefix: number): bigint => ((1n << width(ip)) - 1n) ^ ((1n << (width(ip) - BigInt(prefix))) - 1n);

function contains(c: CIDR, ip: IP): boolean {
  return c.ip.family === ip.family && (c.ip.bits & mask(c.ip, c.prefix)) === (ip.bits & mask(c.ip, c.prefix));
}

function formatIP(family: 4 | 6, bits: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((sh) => String((bits >> sh) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((bits >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

type Fn = (...args: never[]) => unknown;
const def = (env: Environment, name: string, receiverType: string | undefined, params: string[], returnType: string, handler: Fn): void => {
  env.registerFunction({ name, ...(receiverType ? { receiverType } : {}), returnType, handler: handler as (...a: unknown[]) => unknown, params: params.map((type, i) => ({ name: `a${i}`, type })) });
};

/** Adds the IP, CIDR and URL libraries to `env`. */
export function registerNetLibrary(env: Environment): void {
  env.registerType('net.IP', IP);
  env.registerType('net.CIDR', CIDR);
  env.registerType('net.URL', URLValue);
  def(env, 'isIP', undefined, ['string'], 'bool', (s: string) => parseIP(s) !== null);
  def(env, 'ip', undefined, ['string'], 'net.IP', (s: string) => must(parseIP(s), 'IP Address', s));
  def(env, 'family', 'net.IP', [], 'int', (ip: IP) => BigInt(ip.family));
  def(env, 'isLoopback', 'net.IP', [], 'bool', (ip: IP) => (ip.family === 4 ? ip.bits >> 24n === 127n : ip.bits === 1n));
  def(env, 'isUnspecified', 'net.IP', [], 'bool', (ip: IP) => ip.bits === 0n);
  def(env, 'isGlobalUnicast', 'net.IP', [], 'bool', (ip: IP) =>
    ip.family === 4 ? ip.bits !== 0n && ip.bits >> 24n !== 127n && ip.bits >> 28n !== 14n && ip.bits !== 0xffffffffn && ip.bits >> 16n !== 0xa9fen : ip.bits > 1n && ip.bits >> 120n !== 0xffn && ip.bits >> 118n !== 0x3fan);
  def(env, 'isLinkLocalUnicast', 'net.IP', [], 'bool', (ip: IP) => (ip.family === 4 ? ip.bits >> 16n === 0xa9fen : ip.bits >> 118n === 0x3fan));
  def(env, 'isLinkLocalMulticast', 'net.IP', [], 'bool', (ip: IP) => (ip.family === 4 ? ip.bits >> 8n === 0xe00000n : ip.bits >> 112n === 0xff02n));
  def(env, 'string', undefined, ['net.IP'], 'string', (ip: IP) => formatIP(ip.family, ip.bits));
  def(env, 'isCIDR', undefined, ['string'], 'bool', (s: string) => parseCIDR(s) !== null);
  def(env, 'cidr', undefined, ['string'], 'net.CIDR', (s: string) => must(parseCIDR(s), 'network address', s));
  def(env, 'containsIP', 'net.CIDR', ['net.IP'], 'bool', (c: CIDR, ip: IP) => contains(c, ip));
  def(env, 'containsIP', 'net.CIDR', ['string'], 'bool', (c: CIDR, s: string) => contains(c, must(parseIP(s), 'IP Address', s)));
  def(env, 'containsCIDR', 'net.CIDR', ['net.CIDR'], 'bool', (c: CIDR, o: CIDR) => o.prefix >= c.prefix && contains(c, o.ip));
  def(env, 'containsCIDR', 'net.CIDR', ['string'], 'bool', (c: CIDR, s: string) => {
    const o = must(parseCIDR(s), 'network address', s);
    return o.prefix >= c.prefix && contains(c, o.ip);
  });
  def(env, 'ip', 'net.CIDR', [], 'net.IP', (c: CIDR) => c.ip);
  def(env, 'prefixLength', 'net.CIDR', [], 'int', (c: CIDR) => BigInt(c.prefix));
  def(env, 'masked', 'net.CIDR', [], 'net.CIDR', (c: CIDR) => {
    const ip = new IP(c.ip.family, c.ip.bits & mask(c.ip, c.prefix), '');
    return new CIDR(ip, c.prefix, `${formatIP(ip.family, ip.bits)}/${c.prefix}`);
  });
  def(env, 'string', undefined, ['net.CIDR'], 'string', (c: CIDR) => `${formatIP(c.ip.family, c.ip.bits)}/${c.prefix}`);
  const parseURL = (s: string): URL | null => {
    try {
      return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) || s.startsWith('/') ? new URL(s, s.startsWith('/') ? 'http://relative.invalid' : undefined) : null;
    } catch {
      return null;
    }
  };
  def(env, 'isURL', undefined, ['string'], 'bool', (s: string) => parseURL(s) !== null);
  def(env, 'url', undefined, ['string'], 'net.URL', (s: string) => new URLValue(must(parseURL(s), 'URL', s)));
  def(env, 'getScheme', 'net.URL', [], 'string', (u: URLValue) => (u.url.hostname === 'relative.invalid' ? '' : u.url.protocol.replace(/:$/, '')));
  def(env, 'getHost', 'net.URL', [], 'string', (u: URLValue) => (u.url.hostname === 'relative.invalid' ? '' : u.url.host));
  def(env, 'getHostname', 'net.URL', [], 'string', (u: URLValue) => (u.url.hostname === 'relative.invalid' ? '' : u.url.hostname.replace(/^\[|\]$/g, '')));
  def(env, 'getPort', 'net.URL', [], 'string', (u: URLValue) => u.url.port);
  def(env, 'getEscapedPath', 'net.URL', [], 'string', (u: URLValue) => u.url.pathname);
  def(env, 'getQuery', 'net.URL', [], 'map<string, list<string>>', (u: URLValue) => {
    const out: Record<string, string[]> = {};
    for (const [k, v] of u.url.searchParams) (out[k] ??= []).push(v);
    return out;
  });
}
