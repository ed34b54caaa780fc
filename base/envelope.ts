/**
 * The envelope every message travels in. `from` is stamped by the bus from the sending
 * actor's registration (or, across processes, checked against the sender's NATS identity),
 * never chosen by the actor. `seq` grows by one per envelope a bus instance emits; `at` is
 * the sender's clock in milliseconds since the epoch (virtual time under tests).
 */
export interface Envelope<P = unknown> {
  seq: number;
  from: string;
  to: string;
  type: string;
  payload: P;
  /** Correlation id: set on requests and copied onto their reply. */
  corr?: string;
  at: number;
}

/** The type of the envelope that answers a request; its payload is a `Result`. */
export const REPLY = 'reply';
