/**
 * The data path of a forwarded TCP connection: once the accepted socket and its upstream are
 * both connected, a relay moves the bytes between them until both directions end. Two
 * implementations keep one contract (spec/actors/net/relay.spec.ts):
 *
 * - `native`: relay.c, built by `npm ci` (node-gyp; binding.gyp at the root). The two file
 *   descriptors go to one relay thread (epoll, read, write) and the JavaScript sockets are
 *   let go, so a proxied request costs a few system calls and no event-loop turn: what makes
 *   a ClusterIP nearly as fast as a pod's own address (bench proxy).
 * - `javascript`: stream pipes with backpressure, on the event loop; used where the addon
 *   did not build (a machine without a compiler) or when `KUBEACTOR_RELAY=javascript`.
 *
 * The contract, a NAT's: bytes pass both ways with backpressure; an end of stream on one side
 * shuts down the other's sending side once its bytes are through (half-close), and the pair
 * closes when both have ended; a reset or error on one side resets the other.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

export interface Relay {
  readonly name: 'native' | 'javascript';
  /** Relays between two connected sockets from now on; the caller must not read or write them. */
  relay(a: Socket, b: Socket): void;
  /** How many relayed connections are open now. */
  open(): number;
}

/** The other end of a spliced connection (the data path's handlers are shared, not closures). */
const PEER = Symbol('peer');
type Spliced = Socket & { [PEER]: Socket };

let piped = 0;

/** Stream pipes on the event loop. */
export const javascriptRelay: Relay = {
  name: 'javascript',
  relay(a, b) {
    piped++;
    let closed = 0;
    const counted = (): void => void (++closed === 2 && piped--);
    a.once('close', counted);
    b.once('close', counted);
    splice(a, b);
    splice(b, a);
    a.resume();
    b.resume();
  },
  open: () => piped,
};

/** Sends what `from` reads to its peer, with backpressure, its end as the peer's end, its reset as the peer's. */
function splice(from: Socket, to: Socket): void {
  (from as Spliced)[PEER] = to;
  from.on('data', relayed);
  from.on('drain', drained);
  from.on('end', ended);
  from.on('error', failed);
}

function relayed(this: Spliced, chunk: Buffer): void {
  if (!this[PEER].write(chunk)) this.pause();
}
function drained(this: Spliced): void {
  this[PEER].resume();
}
function ended(this: Spliced): void {
  this[PEER].end();
}
/** A reset on one side resets the other, as a NATed connection would see it. */
function failed(this: Spliced): void {
  this[PEER].resetAndDestroy();
}

interface NativeAddon {
  relay(fdA: number, fdB: number): void;
  open(): number;
}

/** The socket's file descriptor, where the platform has one (libuv's TCP handle on Unix). */
const fdOf = (s: Socket): number => (s as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;

function loadNative(): Relay | undefined {
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)('../../build/Release/relay.node') as NativeAddon;
  } catch {
    return undefined;
  }
  return {
    name: 'native',
    relay(a, b) {
      const fds = [fdOf(a), fdOf(b)] as const;
      // No descriptor to hand over (not a TCP socket of this platform): the pipes do the job.
      if (fds[0] < 0 || fds[1] < 0) return javascriptRelay.relay(a, b);
      // The addon holds its own duplicates; closing ours leaves the connection open. Neither
      // socket has been read yet (the accepted one is paused on connect, the upstream starts
      // reading only after its 'connect' listeners), so no byte is left behind in a stream.
      addon.relay(fds[0], fds[1]);
      a.destroy();
      b.destroy();
    },
    open: () => addon.open(),
  };
}

/** The native relay, or undefined where it was not built. */
export const nativeRelay: Relay | undefined = loadNative();

/** The relay forwarders use: native where built, unless `KUBEACTOR_RELAY=javascript`. */
export const defaultRelay: Relay = (process.env.KUBEACTOR_RELAY !== 'javascript' && nativeRelay) || javascriptRelay;
