/**
 * One request's audit record: the Event it writes at each stage its policy rule does not
 * omit — RequestReceived when it arrives, ResponseStarted when a long-running request's
 * headers go out, then ResponseComplete (or Panic). What an event carries follows the level:
 * Metadata has who, what and the outcome; Request adds the request body; RequestResponse the
 * answer too.
 *
 * Safety rule (ours; upstream leaves it to the policy): a Secret — a request on the core
 * group's `secrets`, or any body that is or lists an object of kind Secret — is logged at
 * Metadata at most, unless the matching rule names `secrets` itself.
 */
import { fillRefFromObject, holdsSecret, objectRefOf, responseStatusOf, withoutManagedFields } from '../../../api/audit/event.ts';
import { microTime } from '../../../api/time.ts';
import { userInfoOf } from '../identity.ts';
import { levelLess, type AuditAttributes, type AuditDecision, type AuditEvent, type AuditUser, type Level, type ObjectReference, type ResponseStatus, type Stage } from '../../../api/audit/types.ts';

/** The annotations an authorizer's answer is logged under (k8s.io/apiserver/pkg/endpoints/filters/authorization.go). */
export const DECISION_ANNOTATION = 'authorization.k8s.io/decision';
export const REASON_ANNOTATION = 'authorization.k8s.io/reason';

/** Where a record writes its events: each one JSON line (newline included). */
export interface AuditEmitter {
  emit(line: string): void;
}

/** What is known of a request when it arrives. */
export interface AuditStart {
  attrs: AuditAttributes;
  requestURI: string;
  sourceIPs: string[];
  userAgent?: string;
  /** The request's audit ID (the Audit-Id header); a new one is made when absent. */
  auditID: string;
}

export class AuditRecord {
  readonly auditID: string;
  readonly #ev: AuditEvent;
  readonly #decision: AuditDecision;
  readonly #out: AuditEmitter;
  readonly #now: () => number;
  #level: Level;
  #started = false;
  #done = false;
  /**
   * The part of every line from requestURI to userAgent, and the objectRef after it: each
   * serialized once and again only when it changes (a body names the object after the
   * RequestReceived event, so the reference changes alone).
   */
  #head: string | null = null;
  #ref: string | null = null;
  /** The annotations as JSON (with their key), once per change. */
  #annotations: string | null = null;
  /** The audit ID as a JSON string. */
  #id: string | null = null;

  /** `auditID` is given apart from `start` (where it may be absent), so no copy of `start` is made per request. */
  constructor(start: Omit<AuditStart, 'auditID'>, auditID: string, decision: AuditDecision, out: AuditEmitter, now: () => number) {
    this.auditID = auditID;
    this.#decision = decision;
    this.#out = out;
    this.#now = now;
    const r = start.attrs.resource;
    this.#level = r && r.group === '' && r.resource === 'secrets' && !decision.namesSecrets && levelLess('Metadata', decision.level) ? 'Metadata' : decision.level;
    const received = microTime(now());
    this.#ev = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: this.#level,
      auditID,
      stage: 'RequestReceived',
      requestURI: start.requestURI,
      verb: start.attrs.verb,
      user: start.attrs.user,
      // Every optional field has its place from the start, so each line lists them in the order Kubernetes writes them.
      impersonatedUser: undefined,
      sourceIPs: start.sourceIPs,
      userAgent: start.userAgent || undefined,
      objectRef: objectRefOf(start.attrs),
      responseStatus: undefined,
      requestObject: undefined,
      responseObject: undefined,
      requestReceivedTimestamp: received,
      stageTimestamp: received,
      annotations: undefined,
    };
    this.#emit('RequestReceived');
  }

  /** The level this request is logged at (after the Secret rule). */
  get level(): Level {
    return this.#level;
  }

  /** The decoded request body: names what the path did not (a create's name), and is logged from level Request on. */
  requestObject(obj: unknown): void {
    if (this.#ev.objectRef && fillRefFromObject(this.#ev.objectRef, obj)) this.#ref = null;
    if (obj !== undefined && this.#mayLog(obj, 'Request')) this.#ev.requestObject = this.#clean(obj);
  }

  /** Records the authorizer's answer (the hook an authorizer calls; requests no authorizer refused are "allow"). */
  authorized(decision: 'allow' | 'forbid', reason = ''): void {
    const a = this.#ev.annotations;
    // The usual case (no annotation yet) as a literal: computed keys make V8 build the object slowly, once per request.
    if (a) {
      this.#ev.annotations = { ...a, [DECISION_ANNOTATION]: decision, [REASON_ANNOTATION]: reason };
      this.#annotations = null;
      return;
    }
    this.#ev.annotations = { 'authorization.k8s.io/decision': decision, 'authorization.k8s.io/reason': reason };
    this.#annotations = authorizationJSON(decision, reason);
  }

  /** Adds an annotation to this and later events. */
  annotate(key: string, value: string): void {
    this.#ev.annotations = { ...this.#ev.annotations, [key]: value };
    this.#annotations = null;
  }

  /** The user the request acts as under impersonation (the `user` stays who authenticated). */
  impersonated(user: AuditUser): void {
    this.#ev.impersonatedUser = userInfoOf(user);
    this.#head = null;
  }

  /** A long-running request's headers went out with `code`: the ResponseStarted event (once). */
  responseStarted(code: number): void {
    if (this.#started || this.#done) return;
    this.#started = true;
    this.#ev.responseStatus = responseStatusOf(code);
    this.#emit('ResponseStarted');
  }

  /** The request was answered with `code` and `body` (a Status, the object, or nothing for a stream). */
  complete(code: number, body?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#ev.responseStatus = responseStatusOf(code, body);
    if (body !== undefined && this.#mayLog(body, 'RequestResponse')) this.#ev.responseObject = this.#clean(body);
    this.#emit('ResponseComplete');
  }

  /** The handler failed unexpectedly: the Panic event, as kube-apiserver logs a recovered panic. */
  panic(message: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#ev.responseStatus = { metadata: {}, status: 'Failure', reason: 'InternalError', message: `APIServer panic'd: ${message}`, code: 500 };
    this.#emit('Panic');
  }

  #mayLog(obj: unknown, needs: Level): boolean {
    if (levelLess(this.#level, needs)) return false;
    if (this.#decision.namesSecrets || !holdsSecret(obj)) return true;
    // A Secret turned up where the rule did not ask for Secrets: this request is Metadata from here on.
    this.#level = this.#ev.level = 'Metadata';
    this.#ev.requestObject = undefined;
    return false;
  }

  #clean(obj: unknown): unknown {
    return this.#decision.omitManagedFields ? withoutManagedFields(obj) : obj;
  }

  #emit(stage: Stage): void {
    if (this.#decision.omitStages.has(stage)) return;
    const e = this.#ev;
    e.stage = stage;
    e.stageTimestamp = stage === 'RequestReceived' ? e.requestReceivedTimestamp : microTime(this.#now());
    this.#out.emit(this.#line(e));
  }

  /**
   * The event as JSON in Kubernetes' field order: what JSON.stringify(event) gives. Built by
   * concatenation (no intermediate arrays); the parts fixed for the request (the head, the
   * object reference, the annotations) are serialized once and again only when they change.
   */
  #line(e: AuditEvent): string {
    this.#head ??=
      `"requestURI":${jsonString(e.requestURI)},"verb":${jsonString(e.verb)},"user":${userJSON(e.user)}` +
      (e.impersonatedUser ? `,"impersonatedUser":${JSON.stringify(e.impersonatedUser)}` : '') +
      `,"sourceIPs":${e.sourceIPs.length === 0 ? '[]' : JSON.stringify(e.sourceIPs)}` +
      (e.userAgent ? `,"userAgent":${jsonString(e.userAgent)}` : '');
    this.#ref ??= e.objectRef ? `,"objectRef":${refJSON(e.objectRef)}` : '';
    if (e.annotations && this.#annotations === null) this.#annotations = `,"annotations":${JSON.stringify(e.annotations)}`;
    this.#id ??= jsonString(e.auditID);
    let line = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"${e.level}","auditID":${this.#id},"stage":"${e.stage}",${this.#head}${this.#ref}`;
    if (e.responseStatus) line += `,"responseStatus":${statusJSON(e.responseStatus)}`;
    if (e.requestObject !== undefined) line += `,"requestObject":${JSON.stringify(e.requestObject)}`;
    if (e.responseObject !== undefined) line += `,"responseObject":${JSON.stringify(e.responseObject)}`;
    return line + `,"requestReceivedTimestamp":"${e.requestReceivedTimestamp}","stageTimestamp":"${e.stageTimestamp}"${this.#annotations ?? ''}}\n`;
  }
}

/** The characters JSON.stringify escapes in a string: `"`, `\\`, controls, and (lone) surrogates — a pair falls back too, and is written as is. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify(s) for a string, without the generic serializer for the usual string that needs
 * no escape (a path, a name, an audit ID): the serializer's entry cost, paid for every string of
 * every line, was the larger part of building a line.
 */
export function jsonString(s: string): string {
  return typeof s === 'string' && !NEEDS_ESCAPE.test(s) ? `"${s}"` : JSON.stringify(s);
}

/** JSON.stringify(ref): its fields in ObjectReference's order, the unset ones left out. */
function refJSON(r: ObjectReference): string {
  let json = '{';
  let sep = '';
  for (const k of REF_FIELDS) {
    const v = r[k];
    if (v === undefined) continue;
    json += `${sep}"${k}":${jsonString(v)}`;
    sep = ',';
  }
  return json + '}';
}

/** ObjectReference's fields, in the order objectRefOf gives them (which is Kubernetes'). */
const REF_FIELDS = ['resource', 'namespace', 'name', 'uid', 'apiGroup', 'apiVersion', 'resourceVersion', 'subresource'] as const;

/** Users serialized as an event writes them, by the (frozen, so unchanging) user object: a component sends as the same user object every time. */
const userJSONs = new WeakMap<AuditUser, string>();

function userJSON(user: AuditUser): string {
  let json = userJSONs.get(user);
  if (json === undefined) {
    json = JSON.stringify(userInfoOf(user));
    if (Object.isFrozen(user)) userJSONs.set(user, json);
  }
  return json;
}

/** The authorization annotations as the first annotations of an event, by decision and reason (the reasons are few: the authorizers' words). */
const authorizationJSONs = { allow: new Map<string, string>(), forbid: new Map<string, string>() };
/** Past this many distinct reasons they are serialized each time (a reason may name the object). */
const AUTHORIZATION_JSON_LIMIT = 256;

function authorizationJSON(decision: 'allow' | 'forbid', reason: string): string {
  const known = authorizationJSONs[decision];
  let json = known.get(reason);
  if (json === undefined) {
    json = `,"annotations":${JSON.stringify({ [DECISION_ANNOTATION]: decision, [REASON_ANNOTATION]: reason })}`;
    if (known.size < AUTHORIZATION_JSON_LIMIT) known.set(reason, json);
  }
  return json;
}

/** JSON.stringify(status), without the generic walk for the common answer that has only a code. */
function statusJSON(st: ResponseStatus): string {
  if (st.status === undefined && st.message === undefined && st.reason === undefined && st.details === undefined) {
    return `{"metadata":{},"code":${st.code}}`;
  }
  return JSON.stringify(st);
}
