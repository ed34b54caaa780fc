/**
 * How a query name reads under the cluster zone, as CoreDNS's `kubernetes` plugin parses it
 * (the Kubernetes DNS-Based Service Discovery specification):
 *
 * - `<svc>.<ns>.svc.<zone>`: a Service; `<endpoint>.<svc>.<ns>.svc.<zone>`: one endpoint of a
 *   headless Service (its hostname, or its IP with dashes); `_<port>._<proto>.<svc>.<ns>.svc.<zone>`:
 *   a named port (SRV);
 * - `<a-b-c-d>.<ns>.pod.<zone>`: a pod by IP;
 * - `<d>.<c>.<b>.<a>.in-addr.arpa`: a reverse (PTR) lookup;
 * - `dns-version.<zone>` and `ns.dns.<zone>`, which CoreDNS answers itself.
 *
 * Names are compared lower-case; the trailing dot is optional.
 */

/** What a query name asks for. */
export type DnsName =
  | { kind: 'apex' }
  | { kind: 'dns-version' }
  | { kind: 'nameserver' }
  /** `svc.<zone>`, `pod.<zone>` or `<ns>.svc.<zone>`: names that exist but hold no record. */
  | { kind: 'empty'; namespace?: string }
  | { kind: 'service'; namespace: string; service: string; endpoint?: string; port?: { name: string; protocol: string } }
  | { kind: 'pod'; namespace: string; ip: string }
  | { kind: 'reverse'; ip: string }
  /** Under the zone, but no name the plugin can serve: NXDOMAIN. */
  | { kind: 'invalid' }
  /** Not ours: forwarded upstream. */
  | { kind: 'outside' };

/** Lower-case, without the trailing dot. */
export const normalizeName = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** What `name` asks of a server for `zone` (e.g. `cluster.local`). */
export function parseName(name: string, zone: string): DnsName {
  const n = normalizeName(name);
  const z = normalizeName(zone);
  if (n.endsWith('.in-addr.arpa')) {
    const ip = n.slice(0, -'.in-addr.arpa'.length).split('.').reverse().join('.');
    return isIPv4(ip) ? { kind: 'reverse', ip } : { kind: 'outside' };
  }
  if (n === z) return { kind: 'apex' };
  if (!n.endsWith(`.${z}`)) return { kind: 'outside' };
  const labels = n.slice(0, -(z.length + 1)).split('.');
  if (labels.length === 1 && labels[0] === 'dns-version') return { kind: 'dns-version' };
  if (labels.join('.') === 'ns.dns') return { kind: 'nameserver' };
  const type = labels.pop();
  if (type !== 'svc' && type !== 'pod') return { kind: 'invalid' };
  if (labels.length === 0) return { kind: 'empty' };
  const namespace = labels.pop()!;
  if (labels.length === 0) return { kind: 'empty', namespace };
  if (type === 'pod') {
    if (labels.length !== 1) return { kind: 'invalid' };
    const ip = labels[0]!.replaceAll('-', '.');
    return isIPv4(ip) ? { kind: 'pod', namespace, ip } : { kind: 'invalid' };
  }
  const service = labels.pop()!;
  if (labels.length === 0) return { kind: 'service', namespace, service };
  if (labels.length === 1) return { kind: 'service', namespace, service, endpoint: labels[0]! };
  const [port, protocol] = labels;
  if (labels.length === 2 && port!.startsWith('_') && protocol!.startsWith('_')) {
    return { kind: 'service', namespace, service, port: { name: port!.slice(1), protocol: protocol!.slice(1) } };
  }
  return { kind: 'invalid' };
}

/** Dotted-quad IPv4. */
export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && String(Number(p)) === p);
}

/** `10.0.0.1` → `10-0-0-1`: an endpoint without a hostname, or a pod, by its IP. */
export const dashed = (ip: string): string => ip.replaceAll('.', '-');

/** `10.0.0.1` → `1.0.0.10.in-addr.arpa`. */
export const reverseName = (ip: string): string => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
