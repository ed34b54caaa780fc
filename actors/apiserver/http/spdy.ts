/**
 * The part of SPDY/3.1 that `kubectl port-forward` speaks (through the WebSocket tunnel
 * `SPDY/3.1+portforward.k8s.io`, or a plain SPDY upgrade): server side only. Frames:
 * SYN_STREAM in, SYN_REPLY out, data both ways with FIN, RST_STREAM, PING echoed,
 * GOAWAY; SETTINGS, HEADERS and WINDOW_UPDATE are read and ignored (the Go client,
 * spdystream, does not hold its writes for window updates). Header blocks are zlib with
 * the SPDY/3 dictionary, one compression context per direction for the whole connection.
 */
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';

const CONTROL = 0x8000;
const VERSION = 3;
const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const FLAG_FIN = 0x01;
/** Frames longer than this are a protocol error (SPDY's 24-bit length allows 16 MiB). */
const MAX_FRAME = 1 << 24;

/** RST_STREAM status codes. */
export const SPDY_RST = { protocolError: 1, invalidStream: 2, refusedStream: 3, cancel: 5, internalError: 6 } as const;

/** What the connection reports to its user. */
export interface SpdyHandler {
  /** A new stream from the client, with its headers (names lower-case). */
  stream(id: number, headers: Map<string, string>, fin: boolean): void;
  data(id: number, data: Buffer, fin: boolean): void;
  reset(id: number): void;
  /** The peer sent garbage or GOAWAY: the connection is over. */
  closed(reason: string): void;
}

/** A server-side SPDY/3.1 connection over any byte transport. */
export class SpdyServer {
  #pending: Buffer = Buffer.alloc(0);
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #inflate = new ZContext(createInflate({ dictionary: SPDY_DICTIONARY }));
  readonly #deflate = new ZContext(createDeflate({ dictionary: SPDY_DICTIONARY }));

  constructor(
    private readonly write: (bytes: Buffer, done?: (err?: Error | null) => void) => void,
    private readonly handler: SpdyHandler,
  ) {}

  /** Bytes from the client, in any chunking. */
  receive(bytes: Buffer): void {
    if (this.#closed) return;
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, bytes]) : bytes;
    while (this.#pending.length >= 8) {
      const length = this.#pending.readUIntBE(5, 3);
      if (length > MAX_FRAME) return this.#fail('frame too large');
      if (this.#pending.length < 8 + length) break;
      const frame = this.#pending.subarray(0, 8 + length);
      this.#pending = this.#pending.subarray(8 + length);
      this.#chain = this.#chain.then(() => this.#frame(frame)).catch((err: unknown) => this.#fail(err instanceof Error ? err.message : String(err)));
    }
  }

  /** Accepts a stream (SYN_REPLY with no headers). */
  reply(id: number, fin = false): void {
    this.#chain = this.#chain.then(async () => {
      const block = await this.#deflate.run(Buffer.alloc(4));
      const body = Buffer.alloc(4);
      body.writeUInt32BE(id & 0x7fffffff);
      this.#control(SYN_REPLY, fin ? FLAG_FIN : 0, Buffer.concat([body, block]));
    });
  }

  /** Data on a stream; `done` fires once the transport took it. */
  data(id: number, data: Buffer, fin = false, done?: (err?: Error | null) => void): void {
    this.#chain = this.#chain.then(() => {
      const h = Buffer.alloc(8);
      h.writeUInt32BE(id & 0x7fffffff, 0);
      h.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) | data.length, 4);
      this.write(Buffer.concat([h, data]), done);
    });
  }

  reset(id: number, code: number = SPDY_RST.cancel): void {
    const body = Buffer.alloc(8);
    body.writeUInt32BE(id & 0x7fffffff, 0);
    body.writeUInt32BE(code, 4);
    this.#chain = this.#chain.then(() => this.#control(RST_STREAM, 0, body));
  }

  close(): void {
    this.#closed = true;
    this.#inflate.close();
    this.#deflate.close();
  }

  async #frame(frame: Buffer): Promise<void> {
    if (this.#closed) return;
    const flags = frame[4]!;
    const body = frame.subarray(8);
    if ((frame.readUInt16BE(0) & CONTROL) === 0) return this.handler.data(frame.readUInt32BE(0) & 0x7fffffff, body, (flags & FLAG_FIN) !== 0);
    const version = frame.readUInt16BE(0) & 0x7fff;
    if (version !== VERSION) return this.#fail(`unsupported SPDY version ${version}`);
    switch (frame.readUInt16BE(2)) {
      case SYN_STREAM: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        this.handler.stream(id, parseHeaders(await this.#inflate.run(body.subarray(10))), (flags & FLAG_FIN) !== 0);
        return;
      }
      case RST_STREAM:
        return this.handler.reset(body.readUInt32BE(0) & 0x7fffffff);
      case PING:
        return this.#control(PING, 0, body);
      case GOAWAY:
        return this.#fail('the client sent GOAWAY');
      default:
        // HEADERS carry a compressed block: it must still go through the shared context.
        if (frame.readUInt16BE(2) === 8) await this.#inflate.run(body.subarray(4));
    }
  }

  #control(type: number, flags: number, body: Buffer): void {
    const h = Buffer.alloc(8);
    h.writeUInt16BE(CONTROL | VERSION, 0);
    h.writeUInt16BE(type, 2);
    h.writeUInt32BE((flags << 24) | body.length, 4);
    this.write(Buffer.concat([h, body]));
  }

  #fail(reason: string): void {
    if (this.#closed) return;
    this.close();
    this.handler.closed(reason);
  }
}

/** SPDY/3 name/value block: a count, then length-prefixed names and values (32-bit lengths). */
function parseHeaders(block: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 4;
  const n = block.readUInt32BE(0);
  for (let i = 0; i < n; i++) {
    const nl = block.readUInt32BE(at);
    const name = block.toString('utf8', at + 4, at + 4 + nl).toLowerCase();
    at += 4 + nl;
    const vl = block.readUInt32BE(at);
    out.set(name, block.toString('utf8', at + 4, at + 4 + vl).split('\u0000')[0]!);
    at += 4 + vl;
  }
  return out;
}

/** One zlib context fed block by block, each block ended by a sync flush (callers run one at a time). */
class ZContext {
  #out: Buffer[] = [];

  constructor(private readonly z: Inflate | Deflate) {
    z.on('data', (d: Buffer) => this.#out.push(d));
    z.on('error', () => {});
  }

  run(input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.z.once('error', reject);
      this.z.write(input);
      this.z.flush(constants.Z_SYNC_FLUSH, () => {
        this.z.off('error', reject);
        resolve(Buffer.concat(this.#out.splice(0)));
      });
    });
  }

  close(): void {
    this.z.close();
  }
}

/**
 * The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00, 2.6.10.1): the
 * length-prefixed header names and values, then status lines, dates and common values.
 */
export const SPDY_DICTIONARY: Buffer = (() => {
  const words = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
    'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
    'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
    'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
    'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
    'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
    'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin',
  ];
  const prefixed = words.map((w) => {
    const b = Buffer.alloc(4 + w.length);
    b.writeUInt32BE(w.length, 0);
    b.write(w, 4, 'latin1');
    return b;
  });
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,' +
    'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  return Buffer.concat([...prefixed, Buffer.from(tail, 'latin1')]);
})();
