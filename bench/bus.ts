/**
 * Bus throughput: one-way messages and request/reply round trips per second, for the
 * in-process bus, the NATS transport, and raw @nats-io/transport-node with the same
 * envelopes encoded by the same codec (the transport's ceiling; the ratio is the bus's
 * overhead: checks, stamping, bookkeeping). NATS runs against a nats-server this bench
 * starts on loopback with the generated permissions. Counts and time are bounded.
 *
 * Usage: npm run bench -- bus [--oneway N] [--requests N] [--window N] [--max-ms MS]
 * Prints progress on stderr and one JSON line last on stdout.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNatsServer } from '../actors/nats-server.ts';
import type { Bus } from '../bus/bus.ts';
import { createCodec } from '../bus/codec.ts';
import type { Envelope } from '../base/envelope.ts';
import { InProcessBus } from '../bus/inprocess.ts';
import { connectNatsBus } from '../bus/nats/connect.ts';
import { natsServerConfig } from '../bus/nats/server-config.ts';
import { ok } from '../base/status.ts';
import { isMessage } from '../bus/catalogue/index.ts';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const ONEWAY = arg('oneway', 200_000);
const REQUESTS = arg('requests', 50_000);
const WINDOW = arg('window', 128);
const MAX_MS = arg('max-ms', 6000);
const TEXT = 'pod default/web-0 bound to node-1';
const log = (s: string) => process.stderr.write(`bench bus: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends in bursts with a bounded backlog (a real sender cannot outrun its reader forever). */
async function oneway(send: (n: number) => void, received: () => number): Promise<number> {
  const start = performance.now();
  let sent = 0;
  while (sent < ONEWAY && performance.now() - start < MAX_MS) {
    for (let i = 0; i < 2000; i++) send(sent++);
    while (received() < sent - 20_000) await sleep(0);
    if (sent % 50_000 === 0) await sleep(0);
  }
  const deadline = performance.now() + 10_000;
  while (received() < sent && performance.now() < deadline) await sleep(1);
  return Math.round(received() / ((performance.now() - start) / 1000));
}

/** `WINDOW` requests in flight at all times. */
async function requests(call: (n: number) => Promise<boolean>): Promise<number> {
  const start = performance.now();
  let issued = 0;
  let done = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (issued < REQUESTS && performance.now() - start < MAX_MS) {
        if (await call(issued++)) done++;
        else failed++;
      }
    }),
  );
  if (failed) log(`${failed} requests failed`);
  return Math.round(done / ((performance.now() - start) / 1000));
}

async function busRates(name: string, a: Bus, b: Bus, sync: () => Promise<void>) {
  let got = 0;
  const node = b.register('kubelet.b', (env) => {
    got++;
    if (isMessage(env, 'sys.ping')) node.reply(env, ok({ address: 'kubelet.b', n: env.payload.n }));
  });
  const sched = a.register('scheduler', () => {});
  await sync();
  log(`${name}: one-way…`);
  const one = await oneway((n) => sched.send('kubelet.b', 'sys.note', { n, text: TEXT }), () => got);
  log(`${name}: one-way ${one}/s; request/reply…`);
  const req = await requests(async (n) => (await sched.request('kubelet.b', 'sys.ping', { n })).ok);
  log(`${name}: request/reply ${req}/s`);
  return { one, req };
}

async function rawRates(url: string, pass: string) {
  const codec = createCodec();
  const opts = { servers: url, user: 'control-plane', pass, inboxPrefix: 'kubeactor.i.control-plane' };
  const pub: NatsConnection = await connect(opts);
  const sub: NatsConnection = await connect(opts);
  const subject = 'kubeactor.a.control-plane.scheduler';
  let got = 0;
  sub.subscribe('kubeactor.a.*.scheduler', {
    callback: (_e, m) => {
      got++;
      if (m.reply) m.respond(codec.encode({ seq: got, from: 'scheduler', to: 'x', type: 'reply', payload: ok({ address: 'scheduler', n: got }), corr: 'c', at: Date.now() }));
    },
  });
  await sub.flush();
  let seq = 0;
  const env = (type: string, payload: unknown): Envelope => ({ seq: ++seq, from: 'controller.x', to: 'scheduler', type, payload, at: Date.now() });
  log('raw nats: publish…');
  const one = await oneway((n) => pub.publish(subject, codec.encode(env('sys.note', { n, text: TEXT }))), () => got);
  log(`raw nats: publish ${one}/s; request…`);
  const req = await requests(async (n) => {
    const m = await pub.request(subject, codec.encode({ ...env('sys.ping', { n }), corr: `c${n}` }), { timeout: 5000 });
    return (codec.decode(m.data) as Envelope).type === 'reply';
  });
  log(`raw nats: request ${req}/s`);
  await pub.close();
  await sub.close();
  return { one, req };
}

const inproc = new InProcessBus();
const ip = await busRates('in-process', inproc, inproc, async () => {});
await inproc.close();

const users = [
  { identity: 'control-plane', password: 'bench-cp' },
  { identity: 'node-b', password: 'bench-b' },
];
const server = await startNatsServer({ config: natsServerConfig({ users }) });
let result: Record<string, unknown>;
try {
  log(`nats-server on ${server.url} (pid ${server.pid})`);
  const a = await connectNatsBus({ servers: server.url, identity: 'control-plane', pass: 'bench-cp' });
  const b = await connectNatsBus({ servers: server.url, identity: 'node-b', pass: 'bench-b' });
  const nb = await busRates('nats bus', a, b, async () => {
    await b.flush();
    await a.flush();
  });
  await Promise.all([a.close(), b.close()]);
  const raw = await rawRates(server.url, 'bench-cp');
  const r2 = (x: number) => Math.round(x * 100) / 100;
  result = {
    bench: 'bus',
    inprocess_oneway_per_s: ip.one,
    inprocess_request_per_s: ip.req,
    nats_oneway_per_s: nb.one,
    nats_request_per_s: nb.req,
    raw_nats_publish_per_s: raw.one,
    raw_nats_request_per_s: raw.req,
    ratio_nats_oneway_vs_raw: r2(nb.one / raw.one),
    ratio_nats_request_vs_raw: r2(nb.req / raw.req),
    request_window: WINDOW,
    max_ms_per_phase: MAX_MS,
    anchor: {
      what: 'etcd, the store every Kubernetes API request ends in: a three-member cluster completes more than 30,000 requests per second under heavy load',
      etcd_requests_per_s: 30_000,
      source: 'https://etcd.io/docs/v3.6/op-guide/performance/',
    },
  };
} finally {
  await server.stop();
}
console.log(JSON.stringify(result));
