/**
 * The cluster DNS server at bus address `dns` (CoreDNS with the `kubernetes` plugin, in the
 * control plane's process): answers from the shared informers (data.ts, machines/dns/records.ts),
 * forwards other names to the host's resolvers (forward.ts), and keeps the kube-dns Service and
 * its EndpointSlice (publish.ts). It listens on a loopback address of the control plane,
 * DEFAULT_DNS_ADDRESS port 53, because ClusterIPs belong to kube-proxy: kube-proxy forwards
 * kube-dns's ClusterIP:53 to the EndpointSlice's address, this one.
 */
import { fromPromise, type AnyActorRef } from 'xstate';
import * as packet from 'dns-packet';
import type { ActorContext, ActorDef } from '../actor-def.ts';
import type { ActorHost } from '../host.ts';
import { informerFactory, type SharedInformerFactory } from '../informers/index.ts';
import { dnsChart, type DnsEvent, type PublishInput } from '../../machines/dns/chart.ts';
import { DEFAULT_DNS_TTL, RCODE, resolveQuestion, type ZoneOptions } from '../../machines/dns/records.ts';
import { InformerDnsData } from './data.ts';
import { forward, hostNameservers, type Upstream } from './forward.ts';
import { DnsServer, type Transport } from './server.ts';
import { DNS_METRICS_PORT, KUBE_DNS, KUBE_DNS_SLICE, publishKubeDns } from './publish.ts';
import { DnsMetrics } from './metrics.ts';

export const DNS_ADDRESS = 'dns';
/** The control plane's DNS address: 127.0.0.10, after the kube-dns ClusterIP's 10th address. */
export const DEFAULT_DNS_LISTEN = { host: '127.0.0.10', port: 53 } as const;
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

export interface DnsOptions {
  /** The kube-dns Service's ClusterIP (the 10th address of the Service range: see kubeDnsIP). */
  clusterIP: string;
  /** `--cluster-domain` (default cluster.local). */
  clusterDomain?: string;
  /** Where to listen (default DEFAULT_DNS_LISTEN; port 0 picks a free one). */
  listen?: { host: string; port: number };
  /** Where other names go (default: the nameservers of the host's /etc/resolv.conf). */
  upstreams?: Upstream[];
  ttl?: number;
  pods?: ZoneOptions['pods'];
  /** The Prometheus metrics port on the listen address (default 9153; 0 picks a free one). */
  metricsPort?: number;
}

/** What `startDns` tells once the sockets are bound (or refused). */
export type ListenResult = { ok: true; host: string; port: number } | { ok: false; host: string; port: number; error: string };

/**
 * The DNS server's ActorDef. `refOf` finds its running chart; `tell` hands the chart an
 * event from outside a delivery, recorded (ActorHost.tell): how the bind's outcome arrives.
 * Without `tell` (a replay) nothing is bound: the recorded outcome is replayed instead.
 * `onListen` hears the outcome too.
 */
export function dnsActor(opts: DnsOptions, factory: SharedInformerFactory, refOf: () => AnyActorRef | undefined, tell?: (event: DnsEvent) => void, onListen: (r: ListenResult) => void = () => {}): ActorDef {
  const listen = opts.listen ?? DEFAULT_DNS_LISTEN;
  const zone = (opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN).replace(/\.$/, '');
  let server: DnsServer | undefined;
  let data: InformerDnsData | undefined;
  let metrics: DnsMetrics | undefined;
  const close = () => {
    server?.close();
    metrics?.close();
  };
  return {
    address: DNS_ADDRESS,
    config: { ...opts, listen, clusterDomain: zone },
    create(ctx: ActorContext) {
      close();
      data?.close();
      const m = (metrics = new DnsMetrics(`dns://${listen.host}:${listen.port}`));
      const upstreams = opts.upstreams ?? hostNameservers();
      const d = (data = new InformerDnsData(factory, ctx.clock, (kind, o) => {
        const meta = o.metadata ?? {};
        const ours = meta.namespace === KUBE_DNS.namespace && ((kind === 'services' && meta.name === KUBE_DNS.name) || (kind === 'endpointslices' && meta.name === KUBE_DNS_SLICE));
        if (ours) refOf()?.send({ type: 'dns.objects-changed' });
      }));
      const zoneOptions = (): ZoneOptions => ({ zone, ttl: opts.ttl ?? DEFAULT_DNS_TTL, serial: d.serial, nameserverIP: opts.clusterIP, pods: opts.pods ?? 'insecure' });
      server = new DnsServer(listen.host, listen.port, (query, transport) => answerQuery(query, transport, d, zoneOptions(), upstreams, ctx, m));
      const machine = dnsChart.provide({
        actions: { close },
        actors: {
          publish: fromPromise<void, PublishInput>(async ({ input }) => {
            const r = await publishKubeDns(ctx.port, { clusterIP: opts.clusterIP, address: listen.host, dnsPort: input.port, metricsPort: input.metricsPort, ready: input.listening });
            if (r.serviceIP !== opts.clusterIP) ctx.log.warn('dns: the kube-dns Service has another ClusterIP than the kubelets\' clusterDNS', { service: r.serviceIP, clusterDNS: opts.clusterIP });
          }),
        },
      });
      return { machine, input: { zone, listen, clusterIP: opts.clusterIP } };
    },
    onStart(ctx: ActorContext) {
      if (!tell || !server || !metrics) return;
      void bind(server, metrics, opts.metricsPort ?? DNS_METRICS_PORT, ctx).then((r) => {
        tell(r.ok ? { type: 'dns.listening', port: r.port, metricsPort: r.metricsPort } : { type: 'dns.listen-failed', error: r.error });
        onListen(r);
      });
    },
    onStop() {
      close();
      data?.close();
    },
    toEvent: () => null,
  };
}

/** Binds the DNS sockets, then the metrics port (whose failure is only warned about). */
async function bind(s: DnsServer, m: DnsMetrics, metricsPort: number, ctx: ActorContext): Promise<ListenResult & { metricsPort: number }> {
  try {
    await s.listen();
  } catch (err) {
    const error = (err as Error).message;
    ctx.log.warn('dns: cannot listen; cluster DNS is not served', { address: `${s.host}:${s.port}`, error });
    return { ok: false, host: s.host, port: s.port, metricsPort, error };
  }
  const bound = await m.listen(s.host, metricsPort).catch((err: Error) => {
    ctx.log.warn('dns: cannot serve metrics', { address: `${s.host}:${metricsPort}`, error: err.message });
    return metricsPort;
  });
  return { ok: true, host: s.host, port: s.boundPort, metricsPort: bound };
}

/** One query's wire reply: ours for the zone, the upstream's for other names. */
async function answerQuery(query: Buffer, transport: Transport, data: InformerDnsData, o: ZoneOptions, upstreams: readonly Upstream[], ctx: ActorContext, m: DnsMetrics): Promise<Buffer | null> {
  let q: packet.DecodedPacket;
  try {
    q = packet.decode(query);
  } catch {
    return null;
  }
  const question = q.questions?.[0];
  const rd = (q.flags ?? 0) & packet.RECURSION_DESIRED;
  const respond = (rcode: number, sections: Partial<Pick<packet.Packet, 'answers' | 'authorities' | 'additionals'>> = {}, authoritative = false): Buffer => {
    m.response(rcode);
    return packet.encode({ type: 'response', id: q.id ?? 0, flags: rcode | rd | packet.RECURSION_AVAILABLE | (authoritative ? packet.AUTHORITATIVE_ANSWER : 0), questions: q.questions ?? [], ...sections });
  };
  if (q.type !== 'query' || !question) return respond(1 /* FORMERR */);
  m.request(transport, question.type);
  if (!data.hasSynced()) return respond(RCODE.SERVFAIL);
  const reply = resolveQuestion(question, data, o);
  if (reply) return respond(reply.rcode, { answers: reply.answers, authorities: reply.authorities, additionals: reply.additionals }, true);
  const upstream = await forward(query, transport, upstreams, ctx.clock, (u) => m.forwarded(`${u.host}:${u.port}`));
  if (!upstream) return respond(RCODE.SERVFAIL);
  m.response(upstream.length >= 4 ? upstream.readUInt16BE(2) & 0xf : RCODE.SERVFAIL);
  return upstream;
}

/** A running DNS server: stop it, and learn whether it listens. */
export interface DnsHandle {
  stop(): void;
  listening: Promise<ListenResult>;
}

/** Spawns the DNS server on `host` (its data from the host's shared informer factory). */
export function startDns(host: ActorHost, opts: DnsOptions): DnsHandle {
  let told: (r: ListenResult) => void = () => {};
  const listening = new Promise<ListenResult>((r) => (told = r));
  host.spawn(dnsActor(opts, informerFactory(host), () => host.get(DNS_ADDRESS)?.ref, (event) => void host.tell(DNS_ADDRESS, event), (r) => told(r)));
  return {
    stop: () => {
      host.stop(DNS_ADDRESS);
    },
    listening,
  };
}
