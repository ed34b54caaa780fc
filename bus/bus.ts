import type { Envelope } from '../base/envelope.ts';
import type { MessageType, PayloadOf, ReplyOf, RequestType } from './catalogue/index.ts';
import type { Result, Status } from '../base/status.ts';
import type { RegisterOptions } from './inbox.ts';

/**
 * What an actor sees of the bus: a port bound to the address it registered. Everything it
 * sends carries that address as `from`; there is no way to send as another address.
 *
 * Delivery to one address is in order. Requests never reject: they resolve to a `Result`,
 * with a Status on failure (timeout 504, no actor at the address 503, forbidden 403, the
 * recipient's inbox full 429, ...).
 */
export interface Port {
  readonly address: string;
  /** One-way message to an address. */
  send<T extends MessageType>(to: string, type: T, payload: PayloadOf<T>): void;
  /** Request/reply; the reply is checked against the catalogue's reply schema when it crossed a process boundary. */
  request<T extends RequestType>(to: string, type: T, payload: PayloadOf<T>, opts?: RequestOptions): Promise<Result<ReplyOf<T>>>;
  /** Answers a request envelope this port received (value or error Status). */
  reply<T extends RequestType>(req: Envelope, result: Result<ReplyOf<T>>): void;
  /** Fan-out to every subscriber of a topic (a topic is not an address; names start with `topic.` by convention). */
  publish<T extends MessageType>(topic: string, type: T, payload: PayloadOf<T>): void;
  /** Subscribes this port to a topic; its envelopes arrive at the port's handler with `to` = the topic. Returns unsubscribe. */
  subscribe(topic: string): () => void;
  /** Unregisters the address; pending requests resolve with a 503. */
  close(): void;
}

export interface RequestOptions {
  /** Default 5000 ms. Measured on the bus's clock (virtual under tests). */
  timeoutMs?: number;
}

/** Receives every envelope addressed to the port (replies to its own requests excepted). */
export type Handler = (env: Envelope) => void;

/**
 * Sees every envelope the bus delivers (or publishes), in delivery order, and the replies
 * the bus makes up itself (`localReply`: timeouts, no recipient); the recorder and
 * inspector build on it. It is called just before the envelope is handed to its actor.
 */
export type Tap = (env: Envelope) => void;

export type BusState = 'connected' | 'reconnecting' | 'closed';

/** Counters a bus keeps; rejected messages are counted by cause and never reach an actor. */
export interface BusStats {
  sent: number;
  delivered: number;
  /** Sent to an address no actor holds (a request gets a 503 reply). */
  undeliverable: number;
  rejected: {
    malformed: number;
    unknownType: number;
    badPayload: number;
    oversized: number;
    versionMismatch: number;
    forged: number;
    forbidden: number;
    /** Requests answered 429 at once because the recipient's inbox was full (bus/inbox.ts). */
    overloaded: number;
  };
}

export type RejectCause = keyof BusStats['rejected'];

/**
 * A message bus. Two transports implement it and pass one contract suite
 * (spec/bus/contract.ts): in-process (`bus/inprocess.ts`) and NATS (`bus/nats/`).
 */
export interface Bus {
  /**
   * Which transport: `in-process` delivers in synchronous drains on microtasks (a send is
   * delivered within the same event-loop turn), `nats` through a server (never sooner than
   * a later turn). A replay schedules deliveries the same way.
   */
  readonly transport: 'in-process' | 'nats' | 'workers';
  /**
   * Binds `handler` to `address`. Fails fast if the address is already held in this process.
   * The actor's inbox — requests to it not answered yet — holds at most `inboxLimit` (the
   * bus's, else DEFAULT_INBOX_LIMIT); past it a request is answered 429 at once (bus/inbox.ts).
   */
  register(address: string, handler: Handler, opts?: RegisterOptions): Port;
  /** Observes every envelope delivered by this bus instance; returns a function that removes the tap. */
  tap(tap: Tap): () => void;
  stats(): BusStats;
  state(): BusState;
  /** Called on every state change (reconnects over NATS). */
  onState(listener: (state: BusState) => void): () => void;
  /** Called when a message is rejected, with the cause and the Status sent back (if a reply was possible). */
  onReject(listener: (cause: RejectCause, status: Status, detail: { to?: string; from?: string; type?: string }) => void): () => void;
  /** Drains in-flight messages and closes; every port is closed. */
  close(): Promise<void>;
}

export function emptyStats(): BusStats {
  return {
    sent: 0,
    delivered: 0,
    undeliverable: 0,
    rejected: { malformed: 0, unknownType: 0, badPayload: 0, oversized: 0, versionMismatch: 0, forged: 0, forbidden: 0, overloaded: 0 },
  };
}
