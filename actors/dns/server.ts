/**
 * The DNS server's sockets: one UDP socket and one TCP listener on the same address and port
 * (TCP messages carry RFC 1035's two-byte length prefix). Every query is handed to `answer`,
 * which returns the wire reply (or null: no reply). A UDP reply longer than the client may
 * take (512 bytes, or its EDNS payload size) goes back truncated (TC set, no records), so
 * the client retries over TCP.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import * as packet from 'dns-packet';

export type Transport = 'udp' | 'tcp';

/** Answers one query (its wire bytes); null sends nothing back. */
export type QueryHandler = (query: Buffer, transport: Transport) => Promise<Buffer | null>;

export class DnsServer {
  #udp: Socket | undefined;
  #tcp: Server | undefined;
  readonly #conns = new Set<TcpSocket>();

  constructor(readonly host: string, readonly port: number, private readonly answer: QueryHandler) {}

  /** Binds both sockets; rejects (leaving neither open) when either cannot bind. */
  async listen(): Promise<void> {
    try {
      this.#udp = await bindUdp(this.host, this.port, (msg, rinfo) => {
        void this.#reply(msg, 'udp').then((out) => {
          if (out) this.#udp?.send(truncateForUdp(msg, out), rinfo.port, rinfo.address);
        });
      });
      this.#tcp = await bindTcp(this.host, this.#udp.address().port, (c) => this.#serveTcp(c));
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** The bound UDP/TCP port (the given one, or the one picked for port 0). */
  get boundPort(): number {
    return this.#udp?.address().port ?? this.port;
  }

  close(): void {
    this.#udp?.close();
    this.#udp = undefined;
    this.#tcp?.close();
    this.#tcp = undefined;
    for (const c of this.#conns) c.destroy();
    this.#conns.clear();
  }

  async #reply(msg: Buffer, transport: Transport): Promise<Buffer | null> {
    try {
      return await this.answer(msg, transport);
    } catch {
      return null;
    }
  }

  #serveTcp(c: TcpSocket): void {
    this.#conns.add(c);
    c.on('close', () => this.#conns.delete(c));
    c.on('error', () => c.destroy());
    let buf = Buffer.alloc(0);
    c.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void this.#reply(msg, 'tcp').then((out) => {
          if (!out || c.destroyed) return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(out.length);
          c.write(Buffer.concat([head, out]));
        });
      }
    });
  }
}

/** The reply, or its truncated form when it is longer than the client's UDP payload size. */
function truncateForUdp(query: Buffer, reply: Buffer): Buffer {
  let limit = 512;
  try {
    const opt = packet.decode(query).additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    if (opt?.udpPayloadSize) limit = Math.max(512, opt.udpPayloadSize);
  } catch { /* a query we could not read got no long reply */ }
  if (reply.length <= limit) return reply;
  const r = packet.decode(reply);
  return packet.encode({ type: 'response', id: r.id ?? 0, flags: (r.flags ?? 0) | packet.TRUNCATED_RESPONSE, questions: r.questions ?? [] });
}

function bindUdp(host: string, port: number, onMessage: (msg: Buffer, rinfo: { address: string; port: number }) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.on('message', onMessage);
    s.bind(port, host, () => {
      s.off('error', reject);
      s.on('error', () => {});
      resolve(s);
    });
  });
}

function bindTcp(host: string, port: number, onConnection: (c: TcpSocket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer(onConnection);
    s.once('error', reject);
    s.listen(port, host, () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}
