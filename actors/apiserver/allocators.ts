/**
 * Service address allocation, as the kube-apiserver's ipallocator and portallocator do it:
 * cluster IPs from the service CIDR (the network and broadcast addresses excluded, the
 * first host address reserved for the `kubernetes` service) and node ports from
 * 30000-32767. In use = what stored Services hold (rebuilt when the cache is primed) plus
 * what in-flight creates reserved; released when a Service is deleted or a write fails.
 */
import { formatIp, parseIp } from '../../api/ipv4.ts';

/**
 * kube-apiserver's `--service-cluster-ip-range` default here: Kubernetes' 10.96.0.0/12 moved
 * into loopback, so kube-proxy can bind ClusterIPs on this host without privileges. Pod
 * ranges sit above it (127.112.0.0/16 and up, actors/address-claims.ts).
 */
export const DEFAULT_SERVICE_CIDR = '127.96.0.0/12';
/** kube-dns's ClusterIP is the Service range's 10th address, as kubeadm's GetDNSIP takes it. */
export const DNS_SERVICE_IP_INDEX = 10;

export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;


/** A set of integers [base, base + size) handed out at a random free offset, probing upwards. */
class RangeAllocator {
  readonly #used = new Set<number>();
  constructor(readonly base: number, readonly size: number, private readonly random: () => number) {}

  contains(n: number): boolean {
    return n >= this.base && n < this.base + this.size;
  }
  isUsed(n: number): boolean {
    return this.#used.has(n);
  }
  /** Claims `n`; false when taken or out of range. */
  claim(n: number): boolean {
    if (!this.contains(n) || this.#used.has(n)) return false;
    this.#used.add(n);
    return true;
  }
  next(): number | null {
    if (this.#used.size >= this.size) return null;
    const start = Math.floor(this.random() * this.size);
    for (let i = 0; i < this.size; i++) {
      const n = this.base + ((start + i) % this.size);
      if (!this.#used.has(n)) {
        this.#used.add(n);
        return n;
      }
    }
    return null;
  }
  release(n: number): void {
    this.#used.delete(n);
  }
  clear(): void {
    this.#used.clear();
  }
}

/** Cluster IPs of one IPv4 service CIDR. */
export class ClusterIPAllocator {
  readonly #r: RangeAllocator;
  readonly cidr: string;
  /** The first host address: the `kubernetes` service's. */
  readonly first: string;

  constructor(cidr: string = DEFAULT_SERVICE_CIDR, random: () => number = Math.random) {
    const [ip, bitsText] = cidr.split('/');
    const base = ip === undefined ? null : parseIp(ip);
    const bits = Number(bitsText);
    if (base === null || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new Error(`invalid service CIDR "${cidr}"`);
    const size = 2 ** (32 - bits);
    const network = base - (base % size);
    this.cidr = cidr;
    // Skip the network and broadcast addresses.
    this.#r = new RangeAllocator(network + 1, size - 2, random);
    this.first = formatIp(network + 1);
    this.#r.claim(network + 1); // reserved: only an explicit request (the kubernetes service) gets it
  }

  contains(ip: string): boolean {
    const n = parseIp(ip);
    return n !== null && this.#r.contains(n);
  }
  /** Claims a requested IP: 'ok', 'taken' or 'out-of-range'. The reserved first address is granted once. */
  claim(ip: string): 'ok' | 'taken' | 'out-of-range' {
    const n = parseIp(ip);
    if (n === null || !this.#r.contains(n)) return 'out-of-range';
    if (ip === this.first && !this.#firstTaken) {
      this.#firstTaken = true;
      return 'ok';
    }
    return this.#r.claim(n) ? 'ok' : 'taken';
  }
  #firstTaken = false;
  allocate(): string | null {
    const n = this.#r.next();
    return n === null ? null : formatIp(n);
  }
  release(ip: string): void {
    const n = parseIp(ip);
    if (n === null) return;
    if (ip === this.first) this.#firstTaken = false;
    else this.#r.release(n);
  }
}

/** Node ports in 30000-32767. */
export class NodePortAllocator {
  readonly #r: RangeAllocator;
  constructor(random: () => number = Math.random, range: { min: number; max: number } = NODE_PORT_RANGE) {
    this.#r = new RangeAllocator(range.min, range.max - range.min + 1, random);
  }
  get range(): string {
    return `${this.#r.base}-${this.#r.base + this.#r.size - 1}`;
  }
  claim(port: number): 'ok' | 'taken' | 'out-of-range' {
    if (!this.#r.contains(port)) return 'out-of-range';
    return this.#r.claim(port) ? 'ok' : 'taken';
  }
  allocate(): number | null {
    return this.#r.next();
  }
  release(port: number): void {
    this.#r.release(port);
  }
}

/** The `index`-th address of a service CIDR (1 is the `kubernetes` Service's; 10 kube-dns's), as kubeadm's GetIndexedIP. */
export function serviceIP(cidr: string, index: number): string {
  const first = new ClusterIPAllocator(cidr, () => 0).first;
  const ip = formatIp((parseIp(first) ?? 0) + index - 1);
  if (!new ClusterIPAllocator(cidr, () => 0).contains(ip)) throw new Error(`service CIDR "${cidr}" has no address number ${index}`);
  return ip;
}

/** kube-dns's ClusterIP in `cidr`: the kubelets' clusterDNS. */
export const kubeDnsIP = (cidr: string = DEFAULT_SERVICE_CIDR): string => serviceIP(cidr, DNS_SERVICE_IP_INDEX);
