/**
 * Names outside the cluster zone go to the host's resolvers, as CoreDNS's `forward .
 * /etc/resolv.conf`: the query is sent as it came (same id, same flags) to the first
 * upstream over the client's transport, then the next one when it does not answer within
 * the timeout; when none answers the client gets SERVFAIL.
 */
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { Clock } from '../../base/clock.ts';
import type { Transport } from './server.ts';

export interface Upstream {
  host: string;
  port: number;
}

/** How long one upstream may take to answer. */
export const FORWARD_TIMEOUT_MS = 2_000;

/** The `nameserver` lines of a resolv.conf (port 53), in order; none when it cannot be read. */
export function hostNameservers(path = '/etc/resolv.conf'): Upstream[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w[0] === 'nameserver' && w[1] && !w[1].includes(':'))
    .map((w) => ({ host: w[1]!, port: 53 }));
}

/** The upstream's reply to `query`, trying each in turn; null when none answered. */
export async function forward(query: Buffer, transport: Transport, upstreams: readonly Upstream[], clock: Clock, onAsk: (u: Upstream) => void = () => {}): Promise<Buffer | null> {
  for (const u of upstreams) {
    onAsk(u);
    const r = await (transport === 'tcp' ? askTcp : askUdp)(query, u, clock).catch(() => null);
    if (r) return r;
  }
  return null;
}

function withTimeout<T>(clock: Clock, run: (done: (v: T | null) => void) => () => void): Promise<T | null> {
  return new Promise((resolve) => {
    let settled = false;
    let cleanup: () => void = () => {};
    const done = (v: T | null) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      cleanup();
      resolve(v);
    };
    const timer = clock.setTimeout(() => done(null), FORWARD_TIMEOUT_MS);
    cleanup = run(done);
  });
}

function askUdp(query: Buffer, u: Upstream, clock: Clock): Promise<Buffer | null> {
  return withTimeout<Buffer>(clock, (done) => {
    const s = createSocket('udp4');
    s.on('error', () => done(null));
    s.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === query.readUInt16BE(0)) done(msg);
    });
    s.send(query, u.port, u.host);
    return () => s.close();
  });
}

function askTcp(query: Buffer, u: Upstream, clock: Clock): Promise<Buffer | null> {
  return withTimeout<Buffer>(clock, (done) => {
    const c = connect(u.port, u.host);
    let buf = Buffer.alloc(0);
    c.on('error', () => done(null));
    c.on('connect', () => {
      const head = Buffer.alloc(2);
      head.writeUInt16BE(query.length);
      c.write(Buffer.concat([head, query]));
    });
    c.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    c.on('end', () => done(null));
    return () => c.destroy();
  });
}
