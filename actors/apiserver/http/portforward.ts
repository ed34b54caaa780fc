/**
 * pods/portforward as kubectl 1.32 speaks it: SPDY/3.1 (spdy.ts), tunnelled in WebSocket
 * binary messages or on a plain SPDY upgrade, with the `portforward.k8s.io` protocol: per
 * forwarded connection the client opens an error stream and a data stream, both with
 * headers `streamType`, `port` and `requestID`. Each data stream becomes one kubelet stream
 * session (bus/catalogue/streams.ts, kind portforward, channel 0 in and 1 out); a failure
 * is written on the error stream, which kubectl prints as "an error occurred forwarding …".
 *
 * Flow control as for exec: output is acknowledged to the kubelet once the transport took
 * it; input is read only while the kubelet's window lasts (the transport is paused past it).
 */
import type { Envelope } from '../../../base/envelope.ts';
import { DEFAULT_STREAM_WINDOW, STREAM_CHANNEL, type StreamOpen } from '../../../bus/catalogue/streams.ts';
import type { Result } from '../../../base/status.ts';
import type { FrontContext } from './context.ts';
import { SPDY_RST, SpdyServer } from './spdy.ts';

/** A byte transport under the SPDY connection (a WebSocket tunnel or the upgraded socket). */
export interface ByteTransport {
  write(bytes: Buffer, done?: (err?: Error | null) => void): void;
  onData(listener: (bytes: Buffer) => void): void;
  onClose(listener: () => void): void;
  pause(): void;
  resume(): void;
  close(): void;
}

interface Pair {
  port: number;
  errorId?: number;
  dataId?: number;
  session?: string;
  unacked: number;
  window: number;
  /** Client bytes that came before the kubelet opened the session. */
  early: Array<Buffer | null>;
  open: boolean;
}

type BusSend = (to: string, type: string, payload: unknown) => void;
type OpenRequest = (to: string, type: 'kubelet.stream-open', p: StreamOpen, o?: { timeoutMs?: number }) => Promise<Result<{ id: string; window: number }>>;

/** Serves one port-forward connection until the client or the transport goes away. */
export function servePortForward(ctx: FrontContext, t: ByteTransport, base: Omit<StreamOpen, 'id' | 'window'>, kubelet: string): void {
  const send = (ctx.port as unknown as { send: BusSend }).send.bind(ctx.port);
  const request = (ctx.port as unknown as { request: OpenRequest }).request.bind(ctx.port);
  const pairs = new Map<string, Pair>();
  const byStream = new Map<number, Pair>();
  let paused = 0;
  const spdy = new SpdyServer((bytes, done) => t.write(bytes, done), {
    stream(id, headers) {
      const type = headers.get('streamtype');
      const port = Number(headers.get('port'));
      const key = headers.get('requestid') ?? String(id);
      if ((type !== 'error' && type !== 'data') || !Number.isInteger(port) || port <= 0 || port > 65535) return spdy.reset(id, SPDY_RST.protocolError);
      let pair = pairs.get(key);
      if (!pair) pairs.set(key, (pair = { port, unacked: 0, window: DEFAULT_STREAM_WINDOW, early: [], open: false }));
      byStream.set(id, pair);
      spdy.reply(id);
      if (type === 'error') pair.errorId = id;
      else {
        pair.dataId = id;
        void open(pair);
      }
    },
    data(id, data, fin) {
      const pair = byStream.get(id);
      if (!pair || id !== pair.dataId) return;
      if (data.length > 0) toKubelet(pair, data);
      if (fin) toKubelet(pair, null);
    },
    reset(id) {
      const pair = byStream.get(id);
      if (pair) finish(pair, true);
    },
    closed: () => t.close(),
  });

  const toKubelet = (pair: Pair, data: Buffer | null): void => {
    if (!pair.open) return void pair.early.push(data);
    if (data === null) return send(kubelet, 'kubelet.stream-close', { id: pair.session, channel: STREAM_CHANNEL.stdin });
    pair.unacked += data.length;
    send(kubelet, 'kubelet.stream-data', { id: pair.session, channel: STREAM_CHANNEL.stdin, data });
    if (pair.unacked >= pair.window && paused++ === 0) t.pause();
  };

  async function open(pair: Pair): Promise<void> {
    const id = `pf-${ctx.watches.newId(base.pod)}`;
    pair.session = id;
    ctx.streams.set(id, (env) => fromKubelet(pair, env));
    const r = await request(kubelet, 'kubelet.stream-open', { ...base, id, port: pair.port, window: DEFAULT_STREAM_WINDOW }, { timeoutMs: ctx.requestTimeoutMs });
    if (!r.ok) return end(pair, r.status.message);
    pair.window = r.value.window;
    pair.open = true;
    for (const d of pair.early.splice(0)) toKubelet(pair, d);
  }

  function fromKubelet(pair: Pair, env: Envelope): void {
    const p = env.payload as { data?: Uint8Array; bytes?: number; status?: { status?: string; message?: string } };
    if (env.type === 'kubelet.stream-data' && p.data && pair.dataId !== undefined) {
      const n = p.data.byteLength;
      spdy.data(pair.dataId, Buffer.from(p.data.buffer, p.data.byteOffset, n), false, (err) => {
        if (!err && pair.session) send(kubelet, 'kubelet.stream-credit', { id: pair.session, bytes: n });
      });
    } else if (env.type === 'kubelet.stream-credit') {
      const before = pair.unacked;
      pair.unacked -= p.bytes ?? 0;
      if (before >= pair.window && pair.unacked < pair.window && --paused === 0) t.resume();
    } else if (env.type === 'kubelet.stream-end') {
      end(pair, p.status?.status === 'Success' ? '' : p.status?.message ?? 'port-forward failed');
    }
  }

  /** The kubelet is done with a connection: its error (if any) on the error stream, then FIN on both. */
  function end(pair: Pair, message: string): void {
    if (pair.errorId !== undefined) spdy.data(pair.errorId, Buffer.from(message), true);
    if (pair.dataId !== undefined) spdy.data(pair.dataId, Buffer.alloc(0), true);
    finish(pair, false);
  }

  function finish(pair: Pair, cancel: boolean): void {
    if (pair.session && ctx.streams.delete(pair.session) && cancel) send(kubelet, 'kubelet.stream-cancel', { id: pair.session });
    for (const [k, v] of pairs) if (v === pair) pairs.delete(k);
    for (const [k, v] of byStream) if (v === pair) byStream.delete(k);
  }

  t.onData((bytes) => spdy.receive(bytes));
  t.onClose(() => {
    spdy.close();
    for (const pair of [...pairs.values()]) finish(pair, true);
  });
}
