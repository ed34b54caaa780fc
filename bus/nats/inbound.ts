import type { RejectCause } from '../bus.ts';
import { checkPayload } from '../check.ts';
import { ProtocolMismatch, isEnvelopeShape, type Codec } from '../codec.ts';
import { REPLY, type Envelope } from '../../base/envelope.ts';
import type { ClaimChecker } from '../identities.ts';
import { checkSend } from '../permissions.ts';
import { badRequest, forbidden, isStatus, tooLarge, type Result, type Status } from '../../base/status.ts';

/**
 * The checks every message from NATS passes before an actor may see it. Everything on the
 * wire is outside input, even a message this process published to itself: another process
 * may hold the same credentials, and skipping checks for "our own" bytes would need a
 * trust signal that the wire cannot give.
 */
export type Admitted<T> =
  | { ok: true; env: Envelope; value: T }
  | { ok: false; cause: RejectCause; status: Status; env?: Envelope };

export interface AdmitContext {
  codec: Codec;
  maxBytes: number;
  claims: ClaimChecker;
}

/** Size, frame version, msgpack, envelope shape. */
function decode(ctx: AdmitContext, data: Uint8Array): Admitted<undefined> {
  if (data.length > ctx.maxBytes) {
    return { ok: false, cause: 'oversized', status: tooLarge(`message of ${data.length} bytes exceeds the bus limit of ${ctx.maxBytes} bytes`) };
  }
  return decodeEnvelope(ctx.codec, data);
}

/** Frame version, msgpack, envelope shape: the first checks of bytes from any other process or thread. */
export function decodeEnvelope(codec: Codec, data: Uint8Array): Admitted<undefined> {
  let x: unknown;
  try {
    x = codec.decode(data);
  } catch (err) {
    if (err instanceof ProtocolMismatch) return { ok: false, cause: 'versionMismatch', status: badRequest(err.message) };
    return { ok: false, cause: 'malformed', status: badRequest(`undecodable message: ${(err as Error).message}`) };
  }
  if (!isEnvelopeShape(x)) return { ok: false, cause: 'malformed', status: badRequest('message is not an envelope') };
  return { ok: true, env: x, value: undefined };
}

/**
 * Admits an envelope that arrived on the subject of `to` (an address or a topic) from the
 * NATS identity `sender` (read from the subject, which the server vouches for).
 */
export function admitMessage(ctx: AdmitContext, data: Uint8Array, sender: string, to: string, isTopic: boolean): Admitted<undefined> {
  const d = decode(ctx, data);
  if (!d.ok) return d;
  const env = d.env;
  if (env.to !== to) {
    return { ok: false, cause: 'forged', env, status: forbidden(`envelope addressed to "${env.to}" arrived on the subject of "${to}"`) };
  }
  if (!ctx.claims.mayClaim(sender, env.from)) {
    return { ok: false, cause: 'forged', env, status: forbidden(`identity "${sender}" may not send as "${env.from}"`) };
  }
  return admitChecked(d, isTopic);
}

/** A decoded message's checks on any transport: its sender may send it to its address (not checked for topics), and its payload matches the catalogue. */
export function admitChecked(d: Admitted<undefined> & { ok: true }, isTopic: boolean): Admitted<undefined> {
  const env = d.env;
  if (!isTopic) {
    const denied = checkSend(env.from, env.to, env.type);
    if (denied) return { ok: false, cause: 'forbidden', env, status: denied };
  }
  const bad = checkPayload(env.type, env.payload);
  if (bad) return { ok: false, cause: bad.cause, env, status: bad.status };
  return d;
}

/**
 * Admits a reply to a pending request that was sent to `target`. The reply value is left
 * to the caller to check against the request type's reply schema (bus/check.ts).
 */
export function admitReply(ctx: AdmitContext, data: Uint8Array, target: string): Admitted<Result<unknown>> {
  const d = decode(ctx, data);
  return d.ok ? admitResult(d.env, target) : d;
}

/** A decoded reply's checks on any transport: a reply, from the address the request went to, carrying a Result. */
export function admitResult(env: Envelope, target: string): Admitted<Result<unknown>> {
  if (env.type !== REPLY) return { ok: false, cause: 'malformed', env, status: badRequest(`"${env.type}" arrived where a reply was expected`) };
  if (env.from !== target) {
    return { ok: false, cause: 'forged', env, status: forbidden(`reply from "${env.from}" to a request sent to "${target}"`) };
  }
  const r = env.payload as Result<unknown> | null;
  const isResult =
    typeof r === 'object' && r !== null && (r.ok === true ? 'value' in r : r.ok === false && isStatus(r.status));
  if (!isResult) return { ok: false, cause: 'malformed', env, status: badRequest('reply payload is not a Result') };
  return { ok: true, env, value: r };
}
