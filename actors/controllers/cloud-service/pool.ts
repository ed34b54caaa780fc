/**
 * The local cloud provider's load-balancer addresses: an IPv4 CIDR on loopback (default
 * 127.0.2.0/24, beside the nodes' 127.0.1.0/24), handed out lowest first, one per Service.
 * The pool is memory only: the controller rebuilds it from the Services' status on start.
 */

import { formatIp, parseIp } from '../../../api/ipv4.ts';

/** The default pool: loopback, clear of the nodes' 127.0.1.x. */
export const DEFAULT_LOAD_BALANCER_CIDR = '127.0.2.0/24';


export class AddressPool {
  private readonly first: number;
  private readonly last: number;
  /** ip → the "namespace/name" of the Service holding it. */
  private readonly owners = new Map<string, string>();
  private readonly byKey = new Map<string, string>();

  /** `reserved` addresses are never handed out (the ingress controller listens on one). */
  constructor(readonly cidr: string = DEFAULT_LOAD_BALANCER_CIDR, private readonly reserved: readonly string[] = []) {
    const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
    const base = m ? parseIp(m[1]!) : null;
    const bits = m ? Number(m[2]) : NaN;
    if (base === null || !(bits >= 8 && bits <= 30)) throw new Error(`load balancer pool: "${cidr}" is not an IPv4 CIDR between /8 and /30`);
    const size = 2 ** (32 - bits);
    const network = base - (base % size);
    // Network and broadcast addresses are skipped, as a cloud's subnet would.
    this.first = network + 1;
    this.last = network + size - 2;
  }

  contains(ip: string): boolean {
    const n = parseIp(ip);
    return n !== null && n >= this.first && n <= this.last;
  }

  /** The address `key` holds, if any. */
  of(key: string): string | undefined {
    return this.byKey.get(key);
  }

  /** Marks `ip` as `key`'s; false when it is outside the pool or someone else's. */
  hold(key: string, ip: string): boolean {
    if (!this.contains(ip) || this.reserved.includes(ip)) return false;
    const owner = this.owners.get(ip);
    if (owner !== undefined && owner !== key) return false;
    const prev = this.byKey.get(key);
    if (prev !== undefined && prev !== ip) this.owners.delete(prev);
    this.owners.set(ip, key);
    this.byKey.set(key, ip);
    return true;
  }

  /** The address for `key`: the one it holds, else `wanted` if free, else the lowest free; null when exhausted. */
  allocate(key: string, wanted?: string): string | null {
    const held = this.byKey.get(key);
    if (held !== undefined && (wanted === undefined || wanted === held)) return held;
    if (wanted !== undefined) return this.hold(key, wanted) ? wanted : null;
    for (let n = this.first; n <= this.last; n++) {
      const ip = formatIp(n);
      if (!this.owners.has(ip) && !this.reserved.includes(ip)) return this.hold(key, ip) ? ip : null;
    }
    return null;
  }

  /** Gives back what `key` holds; the address it was, if any. */
  release(key: string): string | undefined {
    const ip = this.byKey.get(key);
    if (ip === undefined) return undefined;
    this.byKey.delete(key);
    this.owners.delete(ip);
    return ip;
  }
}
