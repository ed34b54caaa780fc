/**
 * kube-proxy's HTTP health endpoints (pkg/proxy/healthcheck): `/healthz` and `/livez` on the
 * node's IP at port 10256 (its --healthz-bind-address), healthy once the first sync is done;
 * and one server per `healthCheckNodePort` of an externalTrafficPolicy Local Service, 200
 * while this node has a ready endpoint of it and 503 otherwise, so a load balancer sends
 * traffic only to nodes that keep it local.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Clock } from '../../base/clock.ts';
import { rfc3339 } from '../../api/time.ts';
import type { HealthCheckRule } from '../../machines/kube-proxy/rules.ts';

function answer(res: ServerResponse, ok: boolean, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(JSON.stringify(body));
}

function listen(server: Server, ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The /healthz server; `synced` says when the rules were last applied (0: never). */
export async function serveHealthz(ip: string, port: number, clock: Pick<Clock, 'now'>, lastSync: () => number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/healthz' && path !== '/livez') return void res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    const last = lastSync();
    answer(res, last > 0, { lastUpdated: last ? rfc3339(last) : '', currentTime: rfc3339(clock.now()), nodeEligible: true });
  });
  await listen(server, ip, port);
  return server;
}

/** The health check node ports of one node, opened and closed to match the rules. */
export class HealthCheckServers {
  readonly #servers = new Map<number, { rule: HealthCheckRule; server: Server }>();
  constructor(private readonly ip: string) {}

  /** Opens, updates and closes servers to match `rules`; resolves to the ports that could not listen, with why. */
  async sync(rules: readonly HealthCheckRule[]): Promise<Record<string, string>> {
    const wanted = new Map(rules.map((r) => [r.port, r]));
    for (const [port, s] of this.#servers) {
      if (!wanted.has(port)) {
        s.server.close();
        this.#servers.delete(port);
      }
    }
    const failed: Record<string, string> = {};
    for (const [port, rule] of wanted) {
      const known = this.#servers.get(port);
      if (known) {
        known.rule = rule;
        continue;
      }
      const entry = { rule, server: createServer((_req, res) => {
        const r = entry.rule;
        answer(res, r.localEndpoints > 0, { service: r.service, localEndpoints: r.localEndpoints, serviceProxyHealthy: true }, { 'X-Load-Balancing-Endpoint-Weight': String(r.localEndpoints) });
      }) };
      try {
        await listen(entry.server, this.ip, port);
        this.#servers.set(port, entry);
      } catch (err) {
        failed[`${this.ip}:TCP/${port}`] = `healthCheckNodePort: ${(err as Error).message}`;
      }
    }
    return failed;
  }

  close(): void {
    for (const s of this.#servers.values()) s.server.close();
    this.#servers.clear();
  }
}
