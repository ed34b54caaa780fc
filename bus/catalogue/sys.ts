import { Type } from '@sinclair/typebox';
import { message, request } from './define.ts';

/** Messages every actor host understands, for health checks and the bus contract suite. */
export const sysMessages = {
  /** Liveness probe: the actor answers with its address and the number it was sent. */
  'sys.ping': request(Type.Object({ n: Type.Number() }), Type.Object({ address: Type.String(), n: Type.Number() })),
  /** A one-way note, used by specs and benches to measure delivery. */
  'sys.note': message(Type.Object({ n: Type.Number(), text: Type.Optional(Type.String()) })),
  /** Asks an actor to fail with the given Status (specs exercise error replies with it). */
  'sys.fail': request(Type.Object({ code: Type.Number(), reason: Type.String(), message: Type.String() }), Type.Null()),
};
