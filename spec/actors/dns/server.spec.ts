/**
 * The cluster DNS server answered over real UDP and TCP sockets on loopback (dns-packet on
 * the client side), from a control plane with the endpointslice controller, as CoreDNS's
 * `kubernetes` plugin answers; names outside the zone go to an upstream this spec runs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSocket, type Socket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import * as packet from 'dns-packet';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../../bus/catalogue/api.ts';
import { cluster, targets, type Cluster } from '../controllers/helpers.ts';
import { startDns, type DnsHandle, type ListenResult } from '../../../actors/dns/actor.ts';
import { DEFAULT_SERVICE_CIDR, kubeDnsIP, serviceIP } from '../../../actors/apiserver/allocators.ts';
import { eventually } from '../../helpers/wait.ts';
import { httpGetText } from '../../helpers/http-get.ts';

const HOST = '127.254.255.1';
const UPSTREAM = '127.254.255.2';

let c: Cluster;
let dns: DnsHandle | undefined;
let port = 0;
let upstream: { udp: Socket; tcp: Server; port: number; asked: string[] } | undefined;

test.after.each(async () => {
  dns?.stop();
  dns = undefined;
  upstream?.udp.close();
  upstream?.tcp.close();
  upstream = undefined;
  await c?.close();
});

/** A stand-in for the host's resolver: answers every A question with 192.0.2.7 (UDP and TCP). */
async function startUpstream(): Promise<NonNullable<typeof upstream>> {
  const asked: string[] = [];
  const reply = (msg: Buffer): Buffer => {
    const q = packet.decode(msg);
    asked.push(q.questions?.[0]?.name ?? '');
    return packet.encode({ type: 'response', id: q.id ?? 0, flags: packet.RECURSION_AVAILABLE, questions: q.questions ?? [], answers: [{ type: 'A', name: q.questions?.[0]?.name ?? '', ttl: 60, data: '192.0.2.7' }] });
  };
  const udp = createSocket('udp4');
  udp.on('message', (m, r) => udp.send(reply(m), r.port, r.address));
  await new Promise<void>((r) => udp.bind(0, UPSTREAM, r));
  const p = udp.address().port;
  const tcp = createServer((s) => s.on('data', (d: Buffer) => {
    const out = reply(d.subarray(2, 2 + d.readUInt16BE(0)));
    const head = Buffer.alloc(2);
    head.writeUInt16BE(out.length);
    s.end(Buffer.concat([head, out]));
  }));
  await new Promise<void>((r) => tcp.listen(p, UPSTREAM, r));
  return { udp, tcp, port: p, asked };
}

async function setUp(listen = { host: HOST, port: 0 }): Promise<ListenResult> {
  c = await cluster('endpointslice');
  upstream = await startUpstream();
  dns = startDns(c.h.host, { clusterIP: kubeDnsIP(), listen, metricsPort: 0, upstreams: [{ host: UPSTREAM, port: upstream.port }] });
  const r = await dns.listening;
  if (r.ok) port = r.port;
  await c.advance(500);
  return r;
}

let nextId = 1;
function query(name: string, type: packet.RecordType, transport: 'udp' | 'tcp' = 'udp'): Promise<packet.DecodedPacket> {
  const msg = packet.encode({ type: 'query', id: nextId++, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] });
  if (transport === 'udp') {
    return new Promise((resolve, reject) => {
      const s = createSocket('udp4');
      s.on('message', (m) => {
        s.close();
        resolve(packet.decode(m));
      });
      s.on('error', reject);
      s.send(msg, port, HOST);
    });
  }
  return new Promise((resolve, reject) => {
    const s = connect(port, HOST, () => {
      const head = Buffer.alloc(2);
      head.writeUInt16BE(msg.length);
      s.write(Buffer.concat([head, msg]));
    });
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        s.destroy();
        resolve(packet.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      }
    });
    s.on('error', reject);
  });
}

const data = (p: packet.DecodedPacket) => (p.answers ?? []).map((a) => ('data' in a ? a.data : undefined));
const rcodeOf = (p: packet.DecodedPacket) => (p as unknown as { rcode: string }).rcode;

async function create(target: ReturnType<typeof targets.services>, object: unknown): Promise<void> {
  await c.h.client().must('api.create', { target, object: object as KubeObject });
}

async function runningPod(name: string, ip: string, labels: Record<string, string>, extra: Partial<Pod['spec']> = {}, ready = true): Promise<void> {
  const p: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx' }], ...extra } };
  const created = (await c.h.client().must('api.create', { target: targets.pods('default'), object: p as KubeObject })).object as Pod;
  const status = { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  await c.h.client().must('api.update', { target: { ...targets.pods('default', name), subresource: 'status' }, object: { ...created, status } as KubeObject });
}

test('publishes kube-dns at the 10th Service address with an EndpointSlice pointing at itself', async () => {
  const r = await setUp();
  assert.ok(r.ok);
  const svc = await c.get<Service>(targets.services('kube-system', 'kube-dns'));
  assert.is(svc?.spec?.clusterIP, kubeDnsIP());
  assert.equal(svc?.spec?.ports?.map((p) => `${p.name} ${p.port}/${p.protocol}`), ['dns 53/UDP', 'dns-tcp 53/TCP', 'metrics 9153/TCP']);
  assert.is(svc?.metadata?.labels?.['k8s-app'], 'kube-dns');
  const slices = await c.list<EndpointSlice>(targets.endpointslices('kube-system'), 'kubernetes.io/service-name=kube-dns');
  assert.is(slices.length, 1);
  assert.equal(slices[0]?.endpoints?.[0]?.addresses, [HOST]);
  assert.is(slices[0]?.endpoints?.[0]?.conditions?.ready, true);
  assert.equal(slices[0]?.ports?.filter((p) => p.name !== 'metrics').map((p) => p.port), [port, port]);

  // Deleted, the slice comes back (kube-proxy would otherwise have nowhere to send port 53).
  await c.h.client().must('api.delete', { target: targets.endpointslices('kube-system', slices[0]?.metadata?.name) });
  const back = await eventually(async () => (await c.list<EndpointSlice>(targets.endpointslices('kube-system'), 'kubernetes.io/service-name=kube-dns'))[0], { pace: c.pace() });
  assert.equal(back.endpoints?.[0]?.addresses, [HOST]);
});

test('Service A records over UDP and TCP, TTL 5, authoritative; ns.dns and dns-version', async () => {
  await setUp();
  for (const transport of ['udp', 'tcp'] as const) {
    const r = await query('kubernetes.default.svc.cluster.local', 'A', transport);
    assert.is(rcodeOf(r), 'NOERROR');
    assert.ok(r.flag_aa, 'authoritative');
    assert.equal(data(r), [serviceIP(DEFAULT_SERVICE_CIDR, 1)]);
    assert.is((r.answers?.[0] as packet.StringAnswer).ttl, 5);
  }
  assert.equal(data(await query('ns.dns.cluster.local', 'A')), [kubeDnsIP()]);
  assert.equal(data(await query('dns-version.cluster.local', 'TXT')).map((d) => String((d as Buffer[])[0])), ['1.1.0']);
});

test('NXDOMAIN and NODATA carry the zone SOA as CoreDNS builds it', async () => {
  await setUp();
  const nx = await query('nope.default.svc.cluster.local', 'A');
  assert.is(rcodeOf(nx), 'NXDOMAIN');
  assert.equal(nx.answers, []);
  const soa = nx.authorities?.[0] as packet.SoaAnswer;
  assert.is(soa.type, 'SOA');
  assert.is(soa.name, 'cluster.local');
  assert.is(soa.data.mname, 'ns.dns.cluster.local');
  assert.is(soa.data.rname, 'hostmaster.cluster.local');
  assert.equal([soa.data.refresh, soa.data.retry, soa.data.expire, soa.data.minimum, soa.ttl], [7200, 1800, 86400, 5, 5]);
  assert.is(rcodeOf(await query('x.nonexistent-ns.pod.cluster.local', 'A')), 'NXDOMAIN');
  assert.is(rcodeOf(await query('web.nonexistent-ns.svc.cluster.local', 'A')), 'NXDOMAIN');
  const nodata = await query('kubernetes.default.svc.cluster.local', 'AAAA');
  assert.is(rcodeOf(nodata), 'NOERROR');
  assert.equal(nodata.answers, []);
  assert.is(nodata.authorities?.[0]?.type, 'SOA');
  assert.is(rcodeOf(await query('default.svc.cluster.local', 'A')), 'NOERROR', 'a namespace is a name without records');
});

test('SRV for named ports, headless Services answer with their ready endpoints and hostnames', async () => {
  await setUp();
  await create(targets.services('default'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }] } });
  await create(targets.services('default'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] } });
  await runningPod('db-0', '10.244.1.10', { app: 'db' }, { hostname: 'db-0', subdomain: 'db' });
  await runningPod('db-1', '10.244.1.11', { app: 'db' }, { hostname: 'db-1', subdomain: 'db' });
  await runningPod('db-x', '10.244.1.12', { app: 'db' });
  await runningPod('db-2', '10.244.1.13', { app: 'db' }, { hostname: 'db-2', subdomain: 'db' }, false);
  await c.advance(1000);

  const web = await c.get<Service>(targets.services('default', 'web'));
  const srv = await query('_http._tcp.web.default.svc.cluster.local', 'SRV');
  assert.equal(data(srv), [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
  assert.equal(srv.additionals?.map((a) => [a.name, 'data' in a ? a.data : null]), [['web.default.svc.cluster.local', web?.spec?.clusterIP]]);
  assert.equal(data(await query('_dns._udp.web.default.svc.cluster.local', 'SRV')).map((d) => (d as packet.SrvAnswer['data']).port), [53]);
  assert.is(rcodeOf(await query('_http._udp.web.default.svc.cluster.local', 'SRV')), 'NXDOMAIN', 'no such port and protocol');

  const a = await query('db.default.svc.cluster.local', 'A', 'tcp');
  assert.equal((data(a) as string[]).sort(), ['10.244.1.10', '10.244.1.11', '10.244.1.12'], 'ready endpoints only');
  assert.equal(data(await query('db-0.db.default.svc.cluster.local', 'A')), ['10.244.1.10'], 'hostname.subdomain');
  assert.equal(data(await query('10-244-1-12.db.default.svc.cluster.local', 'A')), ['10.244.1.12'], 'an endpoint without hostname by its dashed IP');
  assert.is(rcodeOf(await query('db-2.db.default.svc.cluster.local', 'A')), 'NXDOMAIN', 'a not-ready endpoint has no name');
  const hs = await query('_pg._tcp.db.default.svc.cluster.local', 'SRV');
  assert.equal((data(hs) as packet.SrvAnswer['data'][]).map((d) => `${d.weight} ${d.port} ${d.target}`).sort(), [
    '33 5432 10-244-1-12.db.default.svc.cluster.local',
    '33 5432 db-0.db.default.svc.cluster.local',
    '33 5432 db-1.db.default.svc.cluster.local',
  ]);

  // PTR: a ClusterIP names its Service, an endpoint IP its endpoint name.
  const ptr = (ip: string) => query(`${ip.split('.').reverse().join('.')}.in-addr.arpa`, 'PTR');
  assert.equal(data(await ptr(web?.spec?.clusterIP ?? '')), ['web.default.svc.cluster.local']);
  assert.equal(data(await ptr('10.244.1.10')), ['db-0.db.default.svc.cluster.local']);
  assert.equal(data(await ptr(kubeDnsIP())), ['kube-dns.kube-system.svc.cluster.local']);
});

test('pod A records by dashed IP; ExternalName is a CNAME', async () => {
  await setUp();
  const pod = await query('10-244-3-7.default.pod.cluster.local', 'A');
  assert.equal(data(pod), ['10.244.3.7']);
  assert.is(rcodeOf(await query('10-244-3-x.default.pod.cluster.local', 'A')), 'NXDOMAIN');
  await create(targets.services('default'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'db.example.org' } });
  await c.advance(200);
  const cname = await query('ext.default.svc.cluster.local', 'A');
  assert.equal(cname.answers?.map((a) => [a.type, 'data' in a ? a.data : null]), [['CNAME', 'db.example.org']]);
});

test('other names are forwarded to the upstream over the client\'s transport, counted in the metrics; a silent upstream is SERVFAIL', async () => {
  await setUp();
  for (const transport of ['udp', 'tcp'] as const) {
    const r = await query('example.com', 'A', transport);
    assert.is(rcodeOf(r), 'NOERROR');
    assert.equal(data(r), ['192.0.2.7']);
    assert.not.ok(r.flag_aa);
  }
  assert.equal(upstream?.asked, ['example.com', 'example.com']);
  // A PTR for an address no Service or endpoint holds falls through to the upstream too.
  assert.equal(data(await query('9.9.0.10.in-addr.arpa', 'PTR')), ['192.0.2.7']);
  const slice = (await c.list<EndpointSlice>(targets.endpointslices('kube-system'), 'kubernetes.io/service-name=kube-dns'))[0];
  const metrics = await httpGetText(`http://${HOST}:${slice?.ports?.find((p) => p.name === 'metrics')?.port}/metrics`);
  assert.match(metrics, `coredns_dns_requests_total{server="dns://${HOST}:0",zone=".",proto="tcp",family="1",type="A"} 1\n`);
  assert.match(metrics, `coredns_forward_requests_total{to="${UPSTREAM}:${upstream?.port}"} 3\n`);
  upstream?.udp.close();
  upstream?.tcp.close();
  upstream = undefined;
  const pending = query('example.net', 'A');
  await c.advance(2_500);
  assert.is(rcodeOf(await pending), 'SERVFAIL');
});

test('a refused bind is reported, and the endpoint is published not ready', async () => {
  const taken = createSocket('udp4');
  await new Promise<void>((r) => taken.bind(0, HOST, r));
  try {
    const r = await setUp({ host: HOST, port: taken.address().port });
    assert.not.ok(r.ok);
    assert.match(r.ok ? '' : r.error, /EADDRINUSE/);
    const slices = await c.list<EndpointSlice>(targets.endpointslices('kube-system'), 'kubernetes.io/service-name=kube-dns');
    assert.is(slices[0]?.endpoints?.[0]?.conditions?.ready, false);
  } finally {
    taken.close();
  }
});

test.run();
