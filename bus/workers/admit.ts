import { admitChecked, admitResult, decodeEnvelope, type Admitted } from '../nats/inbound.ts';
import { checkReply } from '../check.ts';
import type { Codec } from '../codec.ts';
import { REPLY } from '../../base/envelope.ts';
import { badRequest, forbidden, type Result } from '../../base/status.ts';

/**
 * The checks an envelope passes when it crosses a thread boundary, before an actor (or a
 * pending request) sees it: the same as bus/nats/inbound.ts applies to NATS messages. The
 * header (`to`, `from`, `corr`) is what the main thread routed and checked the sender by;
 * bytes that decode to another envelope than the header names are a forgery.
 */
export interface Header {
  to: string;
  from: string;
  corr?: string | undefined;
}

function decode(codec: Codec, buf: ArrayBuffer, h: Header): Admitted<undefined> {
  const d = decodeEnvelope(codec, new Uint8Array(buf));
  if (!d.ok) return d;
  const x = d.env;
  if (x.to !== h.to || x.from !== h.from || x.corr !== h.corr) {
    return { ok: false, cause: 'forged', env: x, status: forbidden(`envelope from "${x.from}" to "${x.to}" arrived under the header of "${h.from}" to "${h.to}"`) };
  }
  return d;
}

/** Admits an envelope for a local address or topic (`isTopic`: no kv rule, topics are not addresses). */
export function admitMessage(codec: Codec, buf: ArrayBuffer, h: Header, isTopic: boolean): Admitted<undefined> {
  const d = decode(codec, buf, h);
  if (!d.ok) return d;
  const env = d.env;
  if (env.type === REPLY) return { ok: false, cause: 'malformed', env, status: badRequest('a reply arrived where a message was expected') };
  return admitChecked(d, isTopic);
}

/**
 * Admits a reply to a pending request of type `requestType` sent to `target`: it must come
 * from that address, carry a Result, and its value must match the catalogue's reply schema.
 */
export function admitReply(codec: Codec, buf: ArrayBuffer, h: Header, requestType: string, target: string): Admitted<Result<unknown>> {
  const d = decode(codec, buf, h);
  if (!d.ok) return d;
  const r = admitResult(d.env, target);
  const bad = r.ok && r.value.ok ? checkReply(requestType, r.value.value) : null;
  if (bad) return { ok: false, cause: 'badPayload', env: d.env, status: bad };
  return r;
}
