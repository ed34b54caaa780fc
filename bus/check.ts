import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { catalogue, isMessageType } from './catalogue/index.ts';
import { badRequest, type Status } from '../base/status.ts';
import type { RejectCause } from './bus.ts';

const payloadChecks = new Map<string, TypeCheck<TSchema>>();
const replyChecks = new Map<string, TypeCheck<TSchema>>();

function compiled(cache: Map<string, TypeCheck<TSchema>>, type: string, schema: TSchema): TypeCheck<TSchema> {
  let c = cache.get(type);
  if (!c) cache.set(type, (c = TypeCompiler.Compile(schema)));
  return c;
}

export interface CheckFailure {
  cause: RejectCause;
  status: Status;
}

/**
 * Checks a payload that arrived from outside the process against the catalogue. Messages
 * from inside are trusted: the TypeScript types already checked them, and checking again
 * would cost the hot path.
 */
export function checkPayload(type: string, payload: unknown): CheckFailure | null {
  if (!isMessageType(type)) {
    return { cause: 'unknownType', status: badRequest(`unknown message type "${type}"`) };
  }
  const check = compiled(payloadChecks, type, catalogue[type].payload);
  if (check.Check(payload)) return null;
  const first = check.Errors(payload).First();
  const where = first?.path ? ` at ${first.path}` : '';
  return {
    cause: 'badPayload',
    status: badRequest(`invalid payload for "${type}"${where}: ${first?.message ?? 'does not match the schema'}`),
  };
}

/** Checks a reply value from another process against the request type's reply schema. */
export function checkReply(requestType: string, value: unknown): Status | null {
  if (!isMessageType(requestType)) return badRequest(`unknown request type "${requestType}"`);
  const schema = catalogue[requestType].reply;
  if (!schema) return badRequest(`"${requestType}" is not a request`);
  const check = compiled(replyChecks, requestType, schema);
  if (check.Check(value)) return null;
  const first = check.Errors(value).First();
  return badRequest(`invalid reply to "${requestType}"${first?.path ? ` at ${first.path}` : ''}: ${first?.message ?? 'does not match the schema'}`);
}
