import { connect } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { type Clock } from '../../base/clock.ts';
import { realClock } from '../../base/real-clock.ts';
import { defaultIdentities, type IdentityTable } from '../identities.ts';
import { NatsBus } from './bus.ts';
import { subjects } from './subjects.ts';

export interface NatsBusOptions {
  /** One or more `nats://host:port` URLs. */
  servers: string | string[];
  /** Cluster prefix of every subject; default `kubeactor`. */
  prefix?: string;
  /** This process's identity (see bus/identities.ts); also the default NATS user name. */
  identity: string;
  user?: string;
  pass?: string;
  /** Default `realClock`; request timeouts run on it. */
  clock?: Clock;
  /** Default request timeout in ms (5000). */
  requestTimeoutMs?: number;
  /** Largest encoded envelope sent or accepted, in bytes; default 1 MiB (nats-server's default max_payload). */
  maxMessageBytes?: number;
  /** Claims of every identity; must match the server config's. Default `defaultIdentities`. */
  identities?: IdentityTable;
  /** Requests an actor may hold unanswered (bus/inbox.ts: DEFAULT_INBOX_LIMIT). */
  inboxLimit?: number;
  /** Reconnect backoff: first delay and cap in ms (default 100 and 2000), doubled per failed attempt, with jitter. */
  reconnectBackoffMs?: { first: number; max: number };
}

export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Connects to NATS as `identity` and returns the bus. Reconnects forever with exponential
 * backoff; `state()` is 'reconnecting' while the server is away, and what actors send
 * meanwhile is buffered by nats.js and flushed on reconnect.
 */
export async function connectNatsBus(opts: NatsBusOptions): Promise<NatsBus> {
  const { first, max } = opts.reconnectBackoffMs ?? { first: 100, max: 2000 };
  let attempt = 0;
  const nc = await connect({
    servers: opts.servers,
    name: `kubeactor:${opts.identity}`,
    user: opts.user ?? opts.identity,
    ...(opts.pass === undefined ? {} : { pass: opts.pass }),
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectDelayHandler: () => {
      const base = Math.min(max, first * 2 ** Math.min(attempt++, 16));
      return base / 2 + Math.random() * (base / 2);
    },
    // A bus must notice a dead server soon, not after nats.js' default of two minutes.
    pingInterval: 10_000,
    maxPingOut: 2,
  });
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'reconnect') attempt = 0;
  })();
  const nonce = randomBytes(9).toString('base64url');
  return new NatsBus(nc, {
    identity: opts.identity,
    subjects: subjects(opts.prefix ?? 'kubeactor', opts.identity, nonce),
    identities: opts.identities ?? defaultIdentities,
    clock: opts.clock ?? realClock,
    requestTimeoutMs: opts.requestTimeoutMs ?? 5000,
    maxMessageBytes: opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    ...(opts.inboxLimit === undefined ? {} : { inboxLimit: opts.inboxLimit }),
  });
}
