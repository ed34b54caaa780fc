import { isAddress, isIdentity } from '../identities.ts';

/**
 * How addresses, topics and reply inboxes map to NATS subjects under a cluster prefix `P`
 * (default `kubeactor`; one or more tokens):
 *
 * | what                      | publish subject                         | subscribe subject            |
 * |---------------------------|-----------------------------------------|------------------------------|
 * | envelope to an address    | `P.a.<sender-identity>.<address>`      | `P.a.*.<address>`            |
 * | envelope on a topic       | `P.t.<sender-identity>.<topic>`         | `P.t.*.<topic>`              |
 * | reply to a request        | `P.i.<identity>.<nonce>.<n>.<address>`  | `P.i.<identity>.<nonce>.>`   |
 *
 * Address tokens are subject tokens unchanged (`controller.replicaset` is two tokens), so
 * the mapping is injective and NATS wildcards line up with identity claims: the claim
 * `controller.*` is the subscribe permission `P.a.*.controller.*`. The sender identity sits
 * at a fixed position, so the server can require that every user publishes only under its
 * own identity, and the receiver learns the true sender from the subject, not from the
 * envelope. Addresses and topics are validated (letters, digits, `-`, `_`, dots between
 * non-empty tokens) so that no wildcard or whitespace reaches a subject.
 *
 * Replies travel on a per-connection inbox that the NATS request carries as its reply
 * subject (see bus/nats/bus.ts for why); its last tokens name the pending request.
 */
export interface Subjects {
  readonly prefix: string;
  /** Where this process publishes envelopes to `address`. */
  toAddress(address: string): string;
  /** Where this process publishes envelopes on `topic`. */
  toTopic(topic: string): string;
  /** What a holder of `address` subscribes to (every sender). */
  addressInterest(address: string): string;
  topicInterest(topic: string): string;
  /** This connection's inbox wildcard, and the prefix of each reply subject. */
  readonly inboxInterest: string;
  readonly inboxPrefix: string;
  /** The sender identity token of a subject received on an address or topic subscription. */
  senderOf(subject: string): string;
}

export function validPrefix(prefix: string): boolean {
  return isAddress(prefix);
}

/** Builds the subject scheme of one connection (identity and reply nonce fixed). */
export function subjects(prefix: string, identity: string, nonce: string): Subjects {
  if (!validPrefix(prefix)) throw new Error(`invalid cluster prefix "${prefix}"`);
  if (!isIdentity(identity)) throw new Error(`invalid identity "${identity}": one token of letters, digits, '-' or '_'`);
  const a = `${prefix}.a.${identity}.`;
  const t = `${prefix}.t.${identity}.`;
  // Both kinds share the sender's position: the token after `P.a.` / `P.t.`.
  const senderAt = prefix.length + 3;
  // Subjects of hot addresses are built once; bounded, since pods come and go.
  const cache = new Map<string, string>();
  const inboxPrefix = `${prefix}.i.${identity}.${nonce}.`;
  return {
    prefix,
    toAddress(address) {
      let s = cache.get(address);
      if (s === undefined) {
        if (cache.size >= 4096) cache.clear();
        cache.set(address, (s = a + address));
      }
      return s;
    },
    toTopic: (topic) => t + topic,
    addressInterest: (address) => `${prefix}.a.*.${address}`,
    topicInterest: (topic) => `${prefix}.t.*.${topic}`,
    inboxInterest: `${inboxPrefix}>`,
    inboxPrefix,
    senderOf(subject) {
      const end = subject.indexOf('.', senderAt);
      return end < 0 ? '' : subject.slice(senderAt, end);
    },
  };
}

/** NATS subject patterns for the server config of one identity (see bus/nats/server-config.ts). */
export const permissionSubjects = {
  publishAddresses: (prefix: string, identity: string) => `${prefix}.a.${identity}.>`,
  publishTopics: (prefix: string, identity: string) => `${prefix}.t.${identity}.>`,
  /** Publishing to `address` from any identity (used for the kv deny rule). */
  anyToAddress: (prefix: string, address: string) => `${prefix}.a.*.${address}`,
  subscribeClaim: (prefix: string, claim: string) => `${prefix}.a.*.${claim}`,
  subscribeTopics: (prefix: string) => `${prefix}.t.*.>`,
  subscribeInbox: (prefix: string, identity: string) => `${prefix}.i.${identity}.>`,
};
