/**
 * Routes one api.* request envelope to its verb and sends the answer. Every verb resolves
 * to a Result (errors as data); a verb that throws is a bug and is answered 500, never left
 * without a reply.
 */
import type { Envelope } from '../../base/envelope.ts';
import type { ApiTarget, PayloadShape, UserInfo } from './types.ts';
import type { KubeObject } from '../../base/object.ts';
import { badRequest, fail, internalError, methodNotAllowed, type Result } from '../../base/status.ts';
import { decodedProblem, MAX_DEPTH } from '../../api/limits.ts';
import type { Call, ServerContext } from './context.ts';
import { requestUser, TRUSTED_EDGE_PREFIX } from './identity.ts';
import { authorizeRequest } from './authorizer.ts';
import { verbOf, type RequestVerb } from './node-authorizer.ts';
import type { BusStart } from './audit/bus.ts';
import { resolveTarget, type ResourceInfo } from './resources.ts';
import { create } from './create.ts';
import { bind } from './binding.ts';
import { evict } from './eviction.ts';
import { isTokenReview, requestToken, reviewToken } from './tokens.ts';
import { answerAccessReview, isAccessReview } from './access-reviews.ts';
import { serveAggregated } from './aggregated.ts';
import type { ListOptions } from '../../bus/catalogue/api.ts';
import { get } from './get.ts';
import { deleteCollection, list } from './list.ts';
import { update } from './update.ts';
import { patch } from './patch.ts';
import { remove } from './delete.ts';
import { unwatch, watch, type WatchStart } from './watch.ts';
import { convertObjects } from './conversion.ts';
import type { FlowTicket } from './flowcontrol/controller.ts';
import { flowKey, PF_REPLY_FIELD } from './flowcontrol/request.ts';

type AnyPayload = { target: ApiTarget; user?: UserInfo; id?: string } & Record<string, unknown>;

type VerbType = 'api.get' | 'api.list' | 'api.create' | 'api.update' | 'api.patch' | 'api.delete' | 'api.deletecollection';

/** Each verb's function, taking that verb's payload. */
const VERBS: { readonly [T in VerbType]: (s: ServerContext, res: ResourceInfo, call: Call<PayloadShape<T>>) => Promise<Result<unknown>> } = {
  'api.get': get,
  'api.list': list,
  'api.create': (s, res, call) => {
    const sub = call.payload.target.subresource;
    if (sub === 'binding') return bind(s, res, call);
    if (sub === 'eviction') return evict(s, res, call);
    if (sub === 'token') return requestToken(s, call);
    return create(s, res, call);
  },
  'api.update': update,
  'api.patch': patch,
  'api.delete': remove,
  'api.deletecollection': deleteCollection,
};

const isVerb = (type: string): type is VerbType => Object.hasOwn(VERBS, type);

/** Subresources that only some verbs serve. */
function allowed(type: string, target: ApiTarget): boolean {
  const sub = target.subresource;
  if (sub === undefined) return true;
  if (sub === 'binding' || sub === 'eviction' || sub === 'token') return type === 'api.create';
  if (sub === 'finalize') return type === 'api.update';
  return type === 'api.get' || type === 'api.update' || type === 'api.patch';
}

export function handleRequest(s: ServerContext, env: Envelope): void {
  void run(s, env).catch((err: unknown) => failed(s, env, err, undefined));
}

/** A verb that threw: a bug, logged and answered 500. */
function failed(s: ServerContext, env: Envelope, err: unknown, ticket: FlowTicket | undefined): void {
  s.log.error('apiserver: request failed', { type: env.type, error: err instanceof Error && err.stack ? err.stack : String(err) });
  reply(s, env, fail(internalError(err instanceof Error ? err.message : String(err))), edgeOnly(env, ticket));
}

async function run(s: ServerContext, env: Envelope): Promise<void> {
  const payload = env.payload as AnyPayload;
  if (env.type === 'api.unwatch') {
    unwatch(s, env.from, String(payload.id));
    s.audit?.unwatched(env.from, String(payload.id));
    return;
  }
  // Conversion reads nothing stored: the front asks it for objects the caller was already allowed to see or write.
  if (env.type === 'api.convert') return reply(s, env, await convertObjects(s, env.payload as PayloadShape<'api.convert'>));
  const user = requestUser(env.from, payload.user);
  const verb = verbOf(env.type);
  const t = payload.target;
  const name = t?.name ?? (verb === 'list' || verb === 'watch' ? selectedName(payload.options) : undefined);
  // The audit holds nothing while a request waits: for most bus requests it has only their kind's
  // shape until the reply makes the record (a record held by each of a thousand queued requests
  // was what they kept alive across scavenges). So the reply is made here, once, with all it needs.
  const received = s.audit ? s.clock.now() : 0;
  const audit = verb && s.audit ? s.audit.begin(env, user, verb, name, received) : null;
  let decision: 'allow' | 'forbid' | undefined;
  let ticket: FlowTicket | undefined;
  // A watch's start runs after its answer: if that throws, the audit is complete already.
  let answered = false;
  try {
    if (s.flow && verb && t) {
      // Priority and fairness come before authorization, as in kube-apiserver's filter chain.
      let admitted = s.flow.admit(flowKey(env.from, user, verb, t), () => ({ user, verb, group: t.group, resource: t.resource, subresource: t.subresource, namespace: t.namespace }));
      if (admitted instanceof Promise) admitted = await admitted;
      if (!admitted.ok) return answer(s, env, fail(admitted.status), audit, received, verb, decision, admitted.ticket);
      ticket = admitted.ticket;
    }
    if (verb) {
      const denied = t ? authorizeRequest(s, { user, verb, group: t.group, resource: t.resource, subresource: t.subresource, namespace: t.namespace, name }) : null;
      decision = denied ? 'forbid' : 'allow';
      if (denied) return answer(s, env, fail(denied), audit, received, verb, decision, ticket);
    }
    const serving = serve(s, env, payload, user);
    const served = serving instanceof Promise ? await serving : serving;
    if ('reply' in served) {
      answer(s, env, served.reply, audit, received, verb, decision, ticket);
      answered = true;
      served.start?.();
    } else answer(s, env, served, audit, received, verb, decision, ticket);
  } catch (err) {
    if (audit && !answered) s.audit!.record(audit, received, env, decision).panic(err instanceof Error ? err.message : String(err));
    failed(s, env, err, ticket);
  } finally {
    ticket?.release();
  }
}

/**
 * Serves an admitted, authorized request: its result, or a watch's reply and start. Not async:
 * the verb's own promise is the one awaited (an async function returning it adds turns of the
 * microtask queue to every request).
 */
function serve(s: ServerContext, env: Envelope, payload: AnyPayload, user: UserInfo): Result<unknown> | Promise<Result<unknown> | WatchStart> {
  // A bus client need not come through the front: what it sends gets the front's body checks.
  // The edges ran them already on the body they decoded, so their requests are not walked twice.
  // An update's body is checked once its resource is known (below).
  const walk = !env.from.startsWith(TRUSTED_EDGE_PREFIX);
  const problem = walk && env.type !== 'api.update' ? decodedProblem(payload.object) ?? decodedProblem(payload.patch) : undefined;
  if (problem) return invalidBody(problem);
  // TokenReview is answered, never stored: no resource to resolve (the front's path for bearer tokens).
  if (env.type === 'api.create' && isTokenReview(payload.target)) return reviewToken(s, { from: env.from, user, payload } as Call<never>);
  if (env.type === 'api.create' && isAccessReview(payload.target)) return answerAccessReview(s, { from: env.from, user, payload } as Call<never>);
  const res = resolveTarget(s.lookup, payload.target);
  if (!res.ok) return res;
  if (walk && env.type === 'api.update') {
    // What of the body is the stored copy's own objects entered before and is not walked
    // again: on the in-process bus a component updates from the object it was given (a
    // kubelet's Lease renewal shares the stored metadata), so most of a renewal is skipped.
    const problem = decodedProblem(payload.object, MAX_DEPTH, false, cachedCopy(s, res.value, payload.target));
    if (problem) return invalidBody(problem);
  }
  if (res.value.servedBy) return serveAggregated(s, res.value.servedBy, env.type, payload.target, payload.options as ListOptions | undefined);
  const call = { from: env.from, user, payload } as Call<never>;
  if (env.type === 'api.watch') return watch(s, res.value, call);
  if (!isVerb(env.type) || !allowed(env.type, payload.target)) return fail(methodNotAllowed());
  return VERBS[env.type](s, res.value, call);
}

const invalidBody = (problem: string): Result<never> => fail(badRequest(`the request body is invalid: ${problem}`));

/** The watch cache's copy of the object a request names, if it holds one. */
function cachedCopy(s: ServerContext, res: ResourceInfo, target: ApiTarget): KubeObject | undefined {
  if (!target.name) return undefined;
  return s.cache.object(res.gr, res.namespaced ? target.namespace : undefined, target.name);
}

/**
 * Replies, and completes the request's audit: its record, made now from the shape `begin` gave
 * if it had none (written as it would have been, from the time it was received).
 */
function answer(s: ServerContext, env: Envelope, result: Result<unknown>, audit: BusStart | null, received: number, verb: RequestVerb | null, decision: 'allow' | 'forbid' | undefined, ticket: FlowTicket | undefined): void {
  reply(s, env, result, edgeOnly(env, ticket));
  if (audit) s.audit!.replied(audit, received, env, verb!, decision, result);
}

/** Only an edge's reply carries the flow-control UIDs (the front sends them as headers). */
const edgeOnly = (env: Envelope, ticket: FlowTicket | undefined): FlowTicket | undefined => (ticket && env.from.startsWith(TRUSTED_EDGE_PREFIX) ? ticket : undefined);


function reply(s: ServerContext, env: Envelope, result: Result<unknown>, ticket?: FlowTicket): void {
  if (ticket) result = { ...result, [PF_REPLY_FIELD]: { flowSchema: ticket.flowSchemaUid, priorityLevel: ticket.priorityLevelUid } } as unknown as Result<unknown>;
  if (env.corr !== undefined) s.port.reply(env, result as never);
}

/**
 * The name a list or watch asks for with `fieldSelector=metadata.name=<name>`: Kubernetes'
 * RequestInfo takes it as the request's name, so a node may watch one Secret it may read.
 */
function selectedName(options: unknown): string | undefined {
  const sel = (options as { fieldSelector?: unknown } | undefined)?.fieldSelector;
  if (typeof sel !== 'string') return undefined;
  for (const term of sel.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    if (m) return m[1];
  }
  return undefined;
}
