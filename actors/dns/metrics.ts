/**
 * The DNS server's Prometheus metrics on the kube-dns `metrics` port (9153), named as
 * CoreDNS's: `coredns_dns_requests_total` by transport and query type,
 * `coredns_dns_responses_total` by rcode, `coredns_forward_requests_total` by upstream.
 */
import { createServer, type Server } from 'node:http';

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export class DnsMetrics {
  readonly #requests = new Map<string, number>();
  readonly #responses = new Map<string, number>();
  readonly #forwards = new Map<string, number>();
  #http: Server | undefined;

  /** `server` is CoreDNS's label: `dns://HOST:PORT`. */
  constructor(private readonly server: string) {}

  request(proto: string, type: string): void {
    bump(this.#requests, `proto="${proto}",family="1",type="${type}"`);
  }
  response(rcode: number): void {
    bump(this.#responses, `rcode="${RCODES[rcode] ?? String(rcode)}"`);
  }
  forwarded(to: string): void {
    bump(this.#forwards, `to="${to}"`);
  }

  /** The Prometheus text exposition. */
  text(): string {
    const s = `server="${this.server}",zone="."`;
    const lines = (name: string, help: string, m: Map<string, number>, withServer = true) => [
      `# HELP ${name} ${help}`,
      `# TYPE ${name} counter`,
      ...[...m].sort(([a], [b]) => a.localeCompare(b)).map(([labels, n]) => `${name}{${withServer ? `${s},` : ''}${labels}} ${n}`),
    ];
    return [
      ...lines('coredns_dns_requests_total', 'Counter of DNS requests made per zone, protocol and family.', this.#requests),
      ...lines('coredns_dns_responses_total', 'Counter of response status codes.', this.#responses),
      ...lines('coredns_forward_requests_total', 'Counter of requests made per upstream.', this.#forwards, false),
      '',
    ].join('\n');
  }

  /** Serves GET /metrics on host:port; resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const http = createServer((req, res) => {
        if (req.url !== '/metrics') return void res.writeHead(404).end('404 page not found\n');
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(this.text());
      });
      http.once('error', reject);
      http.listen(port, host, () => {
        http.off('error', reject);
        this.#http = http;
        const a = http.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });
  }

  close(): void {
    this.#http?.close();
    this.#http?.closeAllConnections();
    this.#http = undefined;
  }
}

const bump = (m: Map<string, number>, key: string): void => void m.set(key, (m.get(key) ?? 0) + 1);
