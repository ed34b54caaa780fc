/**
 * The remotecommand WebSocket protocol v5 (`v5.channel.k8s.io`) between kubectl and the
 * front, bridged to a kubelet stream session on the bus (bus/catalogue/streams.ts).
 *
 * Every binary message starts with its channel: 0 stdin, 1 stdout, 2 stderr, 3 error (one
 * metav1.Status as JSON, then the server closes the connection normally), 4 resize
 * (`{"Width":…,"Height":…}`); `[255, channel]` is v5's close signal (the client closed its
 * stdin). Flow control: output is acknowledged to the kubelet only once the socket took it,
 * so a kubectl that stops reading stops the process's output at the kubelet's window; stdin
 * is read from the socket only while the kubelet's window lasts (the socket is paused past it).
 */
import type { WebSocket } from 'ws';
import type { Envelope } from '../../../base/envelope.ts';
import { STREAM_CHANNEL } from '../../../bus/catalogue/streams.ts';
import type { FrontContext } from './context.ts';

export const EXEC_PROTOCOL = 'v5.channel.k8s.io';

/** How long a new socket's client may take to make its streams (see bridgeWebSocket). */
const CLIENT_SETUP_MS = 50;
/** v5's close signal: `[CLOSE, channel]`. */
const CLOSE = 255;

type StreamSend = (to: string, type: string, payload: unknown) => void;

export interface BridgeOptions {
  id: string;
  kubelet: string;
  /** Stdin bytes the kubelet accepts unacknowledged. */
  window: number;
  /** Messages for the session that arrived before the socket was up. */
  early: Envelope[];
}

export function bridgeWebSocket(ctx: FrontContext, ws: WebSocket, o: BridgeOptions): void {
  const send = (ctx.port as unknown as { send: StreamSend }).send.bind(ctx.port);
  let unacked = 0;
  let ended = false;

  const onKubelet = (env: Envelope): void => {
    const p = env.payload as { channel?: number; data?: Uint8Array; bytes?: number; status?: unknown };
    if (env.type === 'kubelet.stream-data' && p.data) {
      const n = p.data.byteLength;
      const frame = Buffer.allocUnsafe(n + 1);
      frame[0] = p.channel ?? STREAM_CHANNEL.stdout;
      frame.set(p.data, 1);
      ws.send(frame, { binary: true }, (err) => {
        if (!err && !ended) send(o.kubelet, 'kubelet.stream-credit', { id: o.id, bytes: n });
      });
    } else if (env.type === 'kubelet.stream-credit') {
      unacked -= p.bytes ?? 0;
      if (unacked < o.window && ws.isPaused) ws.resume();
    } else if (env.type === 'kubelet.stream-end') {
      ended = true;
      ctx.streams.delete(o.id);
      ws.send(Buffer.concat([Buffer.from([STREAM_CHANNEL.error]), Buffer.from(JSON.stringify(p.status ?? {}))]), { binary: true });
      ws.close(1000);
    }
  };
  // kubectl (client-go's websocket executor) starts reading before it has made its streams, and
  // drops a frame for a stream it has not made yet ("Unknown stream id 3, discarding message",
  // then "closed all streams" instead of the exit code). A command that ends at once answers
  // inside that window over the bus, where a container runtime takes longer: what the kubelet
  // sends is held until the socket is CLIENT_SETUP_MS old.
  let held: Envelope[] | null = o.early.splice(0);
  ctx.streams.set(o.id, (env) => (held ? held.push(env) : onKubelet(env)));
  setTimeout(() => {
    const frames = held ?? [];
    held = null;
    // A client that closed meanwhile was answered by the close handler.
    if (!ended) for (const env of frames) onKubelet(env);
  }, CLIENT_SETUP_MS);

  ws.on('message', (raw: RawMessage, isBinary: boolean) => {
    const buf = messageBytes(raw);
    if (!isBinary || buf.length === 0 || ended) return;
    const channel = buf[0]!;
    if (channel === STREAM_CHANNEL.stdin) {
      const data = buf.subarray(1);
      if (data.length === 0) return;
      unacked += data.length;
      send(o.kubelet, 'kubelet.stream-data', { id: o.id, channel, data });
      if (unacked >= o.window) ws.pause();
    } else if (channel === CLOSE && buf.length >= 2) {
      send(o.kubelet, 'kubelet.stream-close', { id: o.id, channel: buf[1] });
    } else if (channel === STREAM_CHANNEL.resize) {
      const size = parseSize(buf.subarray(1));
      if (size) send(o.kubelet, 'kubelet.stream-resize', { id: o.id, ...size });
    }
  });
  ws.on('close', () => {
    if (ended) return;
    ended = true;
    ctx.streams.delete(o.id);
    send(o.kubelet, 'kubelet.stream-cancel', { id: o.id });
  });
  ws.on('error', () => ws.terminate());
}

/** What `ws` hands a 'message' listener. */
export type RawMessage = Buffer | ArrayBuffer | Buffer[];

/** A WebSocket message as one Buffer. */
export const messageBytes = (raw: RawMessage): Buffer => (Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw));

/** remotecommand's TerminalSize JSON; null when it is not one. */
function parseSize(json: Buffer): { width: number; height: number } | null {
  try {
    const v = JSON.parse(json.toString('utf8')) as { Width?: unknown; Height?: unknown };
    return typeof v.Width === 'number' && typeof v.Height === 'number' ? { width: v.Width, height: v.Height } : null;
  } catch {
    return null;
  }
}
