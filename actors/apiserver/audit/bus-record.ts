/**
 * The audit record of a component's bus request at level Metadata — most of a busy cluster's
 * log. Each event is one LINE op (wire.ts): the request's kind (verb and target; BusAudit keeps
 * them) gives a template per set of objectRef fields present, and a line carries only what
 * differs between requests — the audit ID, user, stage, times, names, status and annotations —, so the request path writes a few numbers and the request's own strings
 * and the log's writer spells out the rest. The lines are byte for byte those AuditRecord
 * writes for the same request (spec/actors/apiserver/audit/bus-record.spec.ts compares them);
 * any other request (a level that logs bodies, a list or watch, impersonation) has an
 * AuditRecord.
 */
import { isObject } from '../../../api/json.ts';
import { microTime } from '../../../api/time.ts';
import { responseStatusOf } from '../../../api/audit/event.ts';
import type { AuditDecision, Stage } from '../../../api/audit/types.ts';
import { AUDIT_FRAGMENTS, authorizationJSON, codeOnlyJSON, F, type AuditEmitter, type RequestAudit } from './record.ts';
import { ABSENT, AuditId, HOLE, RAW_STRING, uriComponent, uuidText } from './wire.ts';

/**
 * What the requests of one kind (verb and target, whoever sends them) write alike: the
 * template's parts, spelled out once.
 */
export interface TemplateSet {
  /** The line's start to the sourceIPs, with the ID, stage, user and a name in the requestURI as holes. */
  readonly head: string;
  /** The objectRef's fields the path gives, as JSON values (absent: undefined). */
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly apiGroup: string | undefined;
  readonly apiVersion: string | undefined;
  readonly subresource: string | undefined;
  /** Template fragment numbers by the objectRef fields present (the MASK bits); -2 until made, -1 past the fragments' limit. */
  readonly templates: Int32Array;
}

/** A kind of request from one user: decided once. */
export interface BusShape {
  readonly decision: AuditDecision;
  /** The user's JSON as a fragment. */
  readonly user: number;
  readonly set: TemplateSet;
  /** Fragment numbers every shape of the log uses. */
  readonly common: CommonFragments;
}

/** Fragment numbers (-2: not yet asked) of the code-only statuses by code, and of the annotations of an allowed request. */
export interface CommonFragments {
  readonly codes: Int32Array;
  allowed: number;
}

/** objectRef fields a request fills in (from its path or body) beside the shape's. */
const NAMESPACE = 1;
const NAME = 2;
const UID = 4;
const RESOURCE_VERSION = 8;
/** Templates per shape: one per mask. */
export const MASKS = 16;

/** The objectRef fields present beside the shape's. */
const maskOf = (namespace: string | undefined, name: string | undefined, uid: string | undefined, resourceVersion: string | undefined): number =>
  (namespace !== undefined ? NAMESPACE : 0) | (name !== undefined ? NAME : 0) | (uid !== undefined ? UID : 0) | (resourceVersion !== undefined ? RESOURCE_VERSION : 0);

/** The fragment number of a kind's template for `mask`, defined the first time (-1 past the limit of fragments). */
function templateOf(set: TemplateSet, mask: number, out: AuditEmitter): number {
  const tpl = set.templates[mask]!;
  return tpl === -2 ? (set.templates[mask] = out.enc.id(templateText(set, mask))) : tpl;
}

/** The fragment number of the annotations of an allowed request with no reason (-1 past the limit). */
function allowedOf(common: CommonFragments, out: AuditEmitter): number {
  if (common.allowed === -2) common.allowed = out.enc.id(authorizationJSON('allow', '')!);
  return common.allowed;
}

/** The fragment number of a status that is a code alone (-1 past the limit). */
function codeOf(common: CommonFragments, code: number, out: AuditEmitter): number {
  const known = code >= 0 && code < common.codes.length;
  let id = known ? common.codes[code]! : -2;
  if (id === -2) {
    id = out.enc.id(codeOnlyJSON(code));
    if (known) common.codes[code] = id;
  }
  return id;
}

/**
 * Writes the two events of an allowed request answered with a code alone — most bus requests —
 * at its reply, as a BusRecord made then writes them (RequestReceived with the path's objectRef,
 * ResponseComplete with what the body adds), without making one: one LINE op and its copy.
 * False, with nothing written, where a fragment it needs is past the limit.
 */
export function writeAnswered(shape: BusShape, out: AuditEmitter, now: () => number, received: number, uriName: string | undefined, body: unknown, code: number): boolean {
  const set = shape.set;
  const omit = shape.decision.omitStages;
  const name = uriName || undefined;
  const firstMask = maskOf(undefined, name, undefined, undefined);
  const first = omit.has('RequestReceived') ? OMITTED : templateOf(set, firstMask, out);
  let namespace: string | undefined;
  let refName = name;
  let uid: string | undefined;
  let resourceVersion: string | undefined;
  if (isObject(body) && isObject(body.metadata)) {
    const m = body.metadata;
    if (set.namespace === undefined && typeof m.namespace === 'string' && m.namespace) namespace = m.namespace;
    if (refName === undefined && typeof m.name === 'string' && m.name) refName = m.name;
    if (typeof m.uid === 'string' && m.uid) uid = m.uid;
    if (typeof m.resourceVersion === 'string' && m.resourceVersion) resourceVersion = m.resourceVersion;
  }
  const mask = maskOf(namespace, refName, uid, resourceVersion);
  const last = omit.has('ResponseComplete') ? OMITTED : templateOf(set, mask, out);
  const status = codeOf(shape.common, code, out);
  const allowed = allowedOf(shape.common, out);
  if (first === -1 || last === -1 || status < 0 || allowed < 0) return false;
  const at = AuditId.take();
  const pool = AuditId.pool;
  const enc = out.enc;
  const chunk = enc.chunk;
  const from = enc.at;
  let to = from;
  if (first >= 0) {
    enc.line(first, pool, at, shape.user, F.stage.RequestReceived, received, received, ABSENT, null, ABSENT, null, uriName, undefined, name, undefined, undefined);
    to = enc.at;
    enc.end();
    out.emitted();
  }
  if (last >= 0) {
    const stageTime = now();
    // The first line's op again with four fields changed, where it has the same objectRef fields.
    if (first < 0 || mask !== firstMask || !enc.relay(chunk, from, to, F.stage.ResponseComplete, stageTime, status, allowed)) {
      enc.line(last, pool, at, shape.user, F.stage.ResponseComplete, received, stageTime, status, null, allowed, null, uriName, namespace, refName, uid, resourceVersion);
    }
    enc.end();
    out.emitted();
  }
  return true;
}

/** A stage the policy omits: no template asked for. */
const OMITTED = -3;

/** The template of a kind's lines with the objectRef fields of `mask`. */
function templateText(s: TemplateSet, mask: number): string {
  let ref = '';
  let n = 0;
  const field = (k: number, v: string): void => {
    ref += AUDIT_FRAGMENTS[(n++ === 0 ? F.refFirst : F.refNext) + k] + v;
  };
  field(0, s.resource);
  if (s.namespace !== undefined) field(1, s.namespace);
  else if (mask & NAMESPACE) field(1, HOLE.namespace);
  if (mask & NAME) field(2, HOLE.name);
  if (mask & UID) field(3, HOLE.uid);
  if (s.apiGroup !== undefined) field(4, s.apiGroup);
  if (s.apiVersion !== undefined) field(5, s.apiVersion);
  if (mask & RESOURCE_VERSION) field(6, HOLE.resourceVersion);
  if (s.subresource !== undefined) field(7, s.subresource);
  return `${s.head}${ref}${AUDIT_FRAGMENTS[F.closeObject]}${HOLE.status}${AUDIT_FRAGMENTS[F.received]}${HOLE.received}${AUDIT_FRAGMENTS[F.stageTime]}${HOLE.stageTime}${HOLE.annotations}${AUDIT_FRAGMENTS[F.end]}`;
}

export class BusRecord implements RequestAudit {
  readonly #shape: BusShape;
  /** The audit ID: 16 bytes at #at of #pool (AuditId.take). */
  readonly #pool: Buffer;
  readonly #at: number;
  #idText: string | null = null;
  readonly #out: AuditEmitter;
  readonly #now: () => number;
  /** When the request arrived, in ms. */
  readonly #received: number;
  /** The name in the requestURI (the target's). */
  readonly #uriName: string | undefined;
  /** objectRef fields beside the shape's: the namespace only when the path has none. */
  #namespace: string | undefined = undefined;
  #name: string | undefined;
  #uid: string | undefined = undefined;
  #resourceVersion: string | undefined = undefined;
  #annotations = ABSENT;
  #annotationsRaw: string | null = null;
  #started = false;
  #done = false;
  /**
   * Where this request's last LINE op is (its chunk, or -1, and range) and the objectRef fields
   * it has: a later event with the same fields and no raw status or annotations copies it and
   * changes the stage, time, status and annotations in place.
   */
  #opChunk = -1;
  #opFrom = 0;
  #opTo = 0;
  #opMask = 0;

  /** `name`: the objectRef's name as the path gives it (a create's comes with its body); `received`: when the request came, in ms. */
  constructor(shape: BusShape, out: AuditEmitter, now: () => number, uriName: string | undefined, name: string | undefined, received: number) {
    this.#shape = shape;
    this.#at = AuditId.take();
    this.#pool = AuditId.pool;
    this.#out = out;
    this.#now = now;
    this.#uriName = uriName;
    this.#name = name || undefined;
    this.#received = received;
    this.#emit('RequestReceived', ABSENT, null);
  }

  get auditID(): string {
    return (this.#idText ??= uuidText(this.#pool, this.#at));
  }

  get level(): 'Metadata' {
    return 'Metadata';
  }

  /** At Metadata a body is never logged: it only fills in the objectRef, as fillRefFromObject does. */
  requestObject(obj: unknown): void {
    if (!isObject(obj) || !isObject(obj.metadata)) return;
    const m = obj.metadata;
    if (this.#shape.set.namespace === undefined && this.#namespace === undefined && typeof m.namespace === 'string' && m.namespace) this.#namespace = m.namespace;
    if (this.#name === undefined && typeof m.name === 'string' && m.name) this.#name = m.name;
    if (this.#uid === undefined && typeof m.uid === 'string' && m.uid) this.#uid = m.uid;
    if (this.#resourceVersion === undefined && typeof m.resourceVersion === 'string' && m.resourceVersion) this.#resourceVersion = m.resourceVersion;
  }

  authorized(decision: 'allow' | 'forbid', reason = ''): void {
    // Nearly every bus request: allowed, with no reason given.
    if (decision === 'allow' && reason === '') {
      const allowed = allowedOf(this.#shape.common, this.#out);
      if (allowed >= 0) {
        this.#annotations = allowed;
        this.#annotationsRaw = null;
        return;
      }
    }
    const json = authorizationJSON(decision, reason);
    const id = json === null ? -1 : this.#out.enc.id(json);
    this.#annotations = id >= 0 ? id : RAW_STRING;
    this.#annotationsRaw = id >= 0 ? null : `,"annotations":${JSON.stringify({ 'authorization.k8s.io/decision': decision, 'authorization.k8s.io/reason': reason })}`;
  }

  responseStarted(code: number): void {
    if (this.#started || this.#done) return;
    this.#started = true;
    this.#emitCode('ResponseStarted', code);
  }

  complete(code: number, body?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    // Only a Status answer has more than its code to log (the answer itself is not logged at Metadata).
    const st = isObject(body) && body.kind === 'Status' ? responseStatusOf(code, body) : null;
    if (st === null || (st.status === undefined && st.message === undefined && st.reason === undefined && st.details === undefined)) this.#emitCode('ResponseComplete', code);
    else this.#emit('ResponseComplete', RAW_STRING, `,"responseStatus":${JSON.stringify(st)}`);
  }

  panic(message: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#emit('Panic', RAW_STRING, `,"responseStatus":${JSON.stringify({ metadata: {}, status: 'Failure', reason: 'InternalError', message: `APIServer panic'd: ${message}`, code: 500 })}`);
  }

  /** An event whose status is a code alone: a fragment (the codes are few). */
  #emitCode(stage: Stage, code: number): void {
    const id = codeOf(this.#shape.common, code, this.#out);
    if (id >= 0) this.#emit(stage, id, null);
    else this.#emit(stage, RAW_STRING, codeOnlyJSON(code));
  }

  #emit(stage: Stage, status: number, statusRaw: string | null): void {
    const shape = this.#shape;
    if (shape.decision.omitStages.has(stage)) return;
    const set = shape.set;
    const mask = maskOf(this.#namespace, this.#name, this.#uid, this.#resourceVersion);
    const enc = this.#out.enc;
    const tpl = templateOf(set, mask, this.#out);
    const stageTime = stage === 'RequestReceived' ? this.#received : this.#now();
    if (tpl >= 0) {
      if (mask !== this.#opMask || statusRaw !== null || this.#annotationsRaw !== null || !enc.relay(this.#opChunk, this.#opFrom, this.#opTo, F.stage[stage], stageTime, status, this.#annotations)) {
        const chunk = enc.chunk;
        const from = enc.at;
        enc.line(tpl, this.#pool, this.#at, shape.user, F.stage[stage], this.#received, stageTime, status, statusRaw, this.#annotations, this.#annotationsRaw, this.#uriName, this.#namespace, this.#name, this.#uid, this.#resourceVersion);
        // Only an op without raw strings can be relayed, and only from the chunk it is in.
        const relayable = statusRaw === null && this.#annotationsRaw === null && enc.chunk === chunk;
        this.#opChunk = relayable ? chunk : -1;
        this.#opFrom = from;
        this.#opTo = enc.at;
        this.#opMask = mask;
      }
    } else enc.raw(this.#spelled(templateText(set, mask), stage, stageTime, status, statusRaw));
    enc.end();
    this.#out.emitted();
  }

  /** The line spelled out here (past the limit of fragments, where the template cannot be defined). */
  #spelled(tpl: string, stage: Stage, stageTime: number, status: number, statusRaw: string | null): string {
    const defs = this.#out.enc.definitions;
    const fragOrRaw = (v: number, raw: string | null): string => (v >= 0 ? defs[v]! : v === RAW_STRING ? raw! : '');
    return tpl.replace(/\0(.)/g, (_, hole: string) => {
      switch (hole) {
        case 'i':
          return JSON.stringify(this.auditID);
        case 'U':
          return defs[this.#shape.user]!;
        case 's':
          return AUDIT_FRAGMENTS[F.stage[stage]]!;
        case 'u':
          return uriComponent(this.#uriName!);
        case 'N':
          return JSON.stringify(this.#namespace);
        case 'n':
          return JSON.stringify(this.#name);
        case 'd':
          return JSON.stringify(this.#uid);
        case 'v':
          return JSON.stringify(this.#resourceVersion);
        case 'r':
          return fragOrRaw(status, statusRaw);
        case 'a':
          return `"${microTime(this.#received)}"`;
        case 'b':
          return `"${microTime(stageTime)}"`;
        default:
          return fragOrRaw(this.#annotations, this.#annotationsRaw);
      }
    });
  }
}
