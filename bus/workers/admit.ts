import type { Admitted } from '../nats/inbound.ts';
import { checkPayload, checkReply } from '../check.ts';
import { ProtocolMismatch, isEnvelopeShape, type Codec } from '../codec.ts';
import { REPLY, type Envelope } from '../../base/envelope.ts';
import { checkSend } from '../permissions.ts';
import { badRequest, forbidden, isStatus, type Result, type Status } from '../../base/status.ts';

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
  let x: unknown;
  try {
    x = codec.decode(new Uint8Array(buf));
  } catch (err) {
    if (err instanceof ProtocolMismatch) return { ok: false, cause: 'versionMismatch', status: badRequest(err.message) };
    return { ok: false, cause: 'malformed', status: badRequest(`undecodable message: ${(err as Error).message}`) };
  }
  if (!isEnvelopeShape(x)) return { ok: false, cause: 'malformed', status: badRequest('message is not an envelope') };
  if (x.to !== h.to || x.from !== h.from || x.corr !== h.corr) {
    return { ok: false, cause: 'forged', env: x, status: forbidden(`envelope from "${x.from}" to "${x.to}" arrived under the header of "${h.from}" to "${h.to}"`) };
  }
  return { ok: true, env: x, value: undefined };
}

/** Admits an envelope for a local address or topic (`isTopic`: no kv rule, topics are not addresses). */
export function admitMessage(codec: Codec, buf: ArrayBuffer, h: Header, isTopic: boolean): Admitted<undefined> {
  const d = decode(codec, buf, h);
  if (!d.ok) return d;
  const env = d.env;
  if (env.type === REPLY) return { ok: false, cause: 'malformed', env, status: badRequest('a reply arrived where a message was expected') };
  if (!isTopic) {
    const denied = checkSend(env.from, env.to, env.type);
    if (denied) return { ok: false, cause: 'forbidden', env, status: denied };
  }
  const bad = checkPayload(env.type, env.payload);
  if (bad) return { ok: false, cause: bad.cause, env, status: bad.status };
  return d;
}

/**
 * Admits a reply to a pending request of type `requestType` sent to `target`: it must come
 * from that address, carry a Result, and its value must match the catalogue's reply schema.
 */
export function admitReply(codec: Codec, buf: ArrayBuffer, h: Header, requestType: string, target: string): Admitted<Result<unknown>> {
  const d = decode(codec, buf, h);
  if (!d.ok) return d;
  const env = d.env;
  if (env.type !== REPLY) return { ok: false, cause: 'malformed', env, status: badRequest(`"${env.type}" arrived where a reply was expected`) };
  if (env.from !== target) return { ok: false, cause: 'forged', env, status: forbidden(`reply from "${env.from}" to a request sent to "${target}"`) };
  const r = env.payload as Result<unknown> | null;
  const isResult = typeof r === 'object' && r !== null && (r.ok === true ? 'value' in r : r.ok === false && isStatus(r.status));
  if (!isResult) return { ok: false, cause: 'malformed', env, status: badRequest('reply payload is not a Result') };
  const bad = r.ok ? checkReply(requestType, r.value) : null;
  if (bad) return { ok: false, cause: 'badPayload', env, status: bad };
  return { ok: true, env, value: r };
}
