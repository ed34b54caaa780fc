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
import { userInfoOf } from '../identity.ts';
import type { AuditId, LineEncoder } from './wire.ts';
import { levelLess, type AuditAttributes, type AuditDecision, type AuditEvent, type AuditUser, type Level, type ObjectReference, type ResponseStatus, type Stage } from '../../../api/audit/types.ts';

/** The annotations an authorizer's answer is logged under (k8s.io/apiserver/pkg/endpoints/filters/authorization.go). */
export const DECISION_ANNOTATION = 'authorization.k8s.io/decision';
export const REASON_ANNOTATION = 'authorization.k8s.io/reason';

/** Where a record writes its events: each one line encoded for the log's writer, then counted. */
export interface AuditEmitter {
  readonly enc: LineEncoder;
  /** An event's line was ended. */
  emitted(): void;
}

/** The event a record fills in (its times are kept as numbers, written by the log's writer). */
type Fields = Omit<AuditEvent, 'requestReceivedTimestamp' | 'stageTimestamp' | 'auditID'>;

/** What is known of a request when it arrives. */
export interface AuditStart {
  attrs: AuditAttributes;
  requestURI: string;
  sourceIPs: string[];
  userAgent?: string;
  /** The request's audit ID (the Audit-Id header); a new one is made when absent. */
  auditID: string;
  /** When it arrived, in ms (absent: now). */
  received?: number;
}

/** What the request paths do with a request's audit record: AuditRecord, or a bus request's BusRecord (bus-record.ts). */
export interface RequestAudit {
  /** The request's audit ID (the Audit-Id header). */
  readonly auditID: string;
  /** The level this request is logged at (after the Secret rule). */
  readonly level: Level;
  /** The decoded request body: names what the path did not (a create's name), and is logged from level Request on. */
  requestObject(obj: unknown): void;
  /** Records the authorizer's answer (requests no authorizer refused are "allow"). */
  authorized(decision: 'allow' | 'forbid', reason?: string): void;
  /** A long-running request's headers went out with `code`: the ResponseStarted event (once). */
  responseStarted(code: number): void;
  /** The request was answered with `code` and `body` (a Status, the object, or nothing for a stream). */
  complete(code: number, body?: unknown): void;
  /** The handler failed unexpectedly: the Panic event, as kube-apiserver logs a recovered panic. */
  panic(message: string): void;
}

export class AuditRecord implements RequestAudit {
  /** The request's audit ID: the one it came with, or a random one spelled out only when asked for. */
  #id: string | AuditId;
  readonly #ev: Fields;
  readonly #decision: AuditDecision;
  readonly #out: AuditEmitter;
  readonly #now: () => number;
  #level: Level;
  #started = false;
  #done = false;
  /** When the request arrived, in ms. */
  readonly #received: number;
  /**
   * The ops of this request's last line from its requestURI to its userAgent (the chunk, or -1,
   * and the range): what every event of a request repeats, written again by copying them.
   */
  #same = -1;
  #sameFrom = 0;
  #sameTo = 0;
  /** Where that run's objectRef ends, when the line written with it has the objectRef as it is now (-1: not known). */
  #refTo = -1;
  /**
   * Where that run's objectRef's first, second and third fields end (-1: not known; an absent
   * field ends where the one before it does): a body that fills in the name (a create's), uid or
   * resourceVersion changes none of the fields before it, so the next event copies those and
   * writes the rest.
   */
  #ref0To = -1;
  #ref1To = -1;
  #ref2To = -1;
  /** How many of the objectRef's leading fields (1 to 3) the fills since its last line left as that line wrote them; 0: none since. */
  #refKept = 0;
  /** The authorization annotations as JSON (with their key), shared by the requests with the same answer; null when other annotations were added. */
  #annotations: string | null = null;

  /** `auditID` is given apart from `start` (where it may be absent), so no copy of `start` is made per request. */
  constructor(start: Omit<AuditStart, 'auditID'>, auditID: string | AuditId, decision: AuditDecision, out: AuditEmitter, now: () => number) {
    this.#id = auditID;
    this.#decision = decision;
    this.#out = out;
    this.#now = now;
    const r = start.attrs.resource;
    this.#level = r && r.group === '' && r.resource === 'secrets' && !decision.namesSecrets && levelLess('Metadata', decision.level) ? 'Metadata' : decision.level;
    this.#received = start.received ?? now();
    this.#ev = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: this.#level,
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
      annotations: undefined,
    };
    this.#emit('RequestReceived');
  }

  /** The request's audit ID (the Audit-Id header). */
  get auditID(): string {
    const id = this.#id;
    return typeof id === 'string' ? id : (this.#id = id.toString());
  }

  /** The level this request is logged at (after the Secret rule). */
  get level(): Level {
    return this.#level;
  }

  /** The decoded request body: names what the path did not (a create's name), and is logged from level Request on. */
  requestObject(obj: unknown): void {
    // A name, uid or resourceVersion filled in: the later events write the objectRef afresh from the first field filled.
    const ref = this.#ev.objectRef;
    if (ref) {
      const hadNamespace = ref.namespace !== undefined;
      const hadName = ref.name !== undefined;
      const hadUid = ref.uid !== undefined;
      if (fillRefFromObject(ref, obj)) {
        this.#refTo = -1;
        const kept = !hadNamespace && ref.namespace !== undefined ? 1 : !hadName && ref.name !== undefined ? 2 : 3;
        if (this.#refKept === 0 || kept < this.#refKept) this.#refKept = kept;
      }
    }
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
    // It sits among the fields the later lines copy: they are written afresh.
    this.#same = -1;
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
    this.#encode(e, stage === 'RequestReceived' ? this.#received : this.#now());
    this.#out.emitted();
  }

  /**
   * The event as JSON in Kubernetes' field order — what JSON.stringify(event) gives — as
   * instructions to the log's writer (wire.ts): the fixed parts by number, the request's own
   * strings copied, the times as numbers. Nothing here makes a string per event.
   */
  #encode(e: Fields, stageTime: number): void {
    const w = this.#out.enc;
    w.fixed(F.level[e.level]);
    const id = this.#id;
    if (typeof id === 'string') w.text(id);
    else w.uuid(id);
    w.fixed(F.stage[e.stage]);
    // From the requestURI to the userAgent nothing changes between a request's events (impersonatedUser, set later, clears
    // #same); the objectRef neither, unless the body filled it in.
    if (!(this.#refTo >= 0 && w.copy(this.#same, this.#sameFrom, this.#refTo)) && !this.#copyKeptRef(w, e.objectRef)) {
      const fresh = !w.copy(this.#same, this.#sameFrom, this.#sameTo);
      if (fresh) this.#encodeSame(w, e);
      this.#encodeRef(w, e.objectRef, fresh);
      // Contiguous with the run only when that run was just written, in the same chunk.
      this.#refTo = fresh && w.chunk === this.#same ? w.at : -1;
      if (this.#refTo < 0) this.#ref0To = this.#ref1To = this.#ref2To = -1;
      this.#refKept = 0;
    }
    const st = e.responseStatus;
    if (st) {
      if (st.status === undefined && st.message === undefined && st.reason === undefined && st.details === undefined) w.frag(codeOnlyJSON(st.code));
      else w.raw(`,"responseStatus":${JSON.stringify(st)}`);
    }
    if (e.requestObject !== undefined) w.raw(`,"requestObject":${JSON.stringify(e.requestObject)}`);
    if (e.responseObject !== undefined) w.raw(`,"responseObject":${JSON.stringify(e.responseObject)}`);
    w.fixed(F.received);
    w.time(this.#received);
    w.fixed(F.stageTime);
    w.time(stageTime);
    if (e.annotations) {
      if (this.#annotations !== null) w.frag(this.#annotations);
      else w.raw(`,"annotations":${JSON.stringify(e.annotations)}`);
    }
    w.fixed(F.end);
    w.end();
  }

  /**
   * After a body filled in fields of the objectRef: the run and the fields before the first one
   * filled copied from the line that wrote them, the rest written. False (nothing written) when
   * that line's positions are not known or its chunk is gone.
   */
  #copyKeptRef(w: LineEncoder, r: ObjectReference | undefined): boolean {
    const kept = this.#refKept;
    const to = kept === 1 ? this.#ref0To : kept === 2 ? this.#ref1To : kept === 3 ? this.#ref2To : -1;
    if (!r || to < 0 || !w.copy(this.#same, this.#sameFrom, to)) return false;
    // Only whether any field came before matters (the key's comma).
    let n = r.resource !== undefined || (kept >= 2 && r.namespace !== undefined) || (kept === 3 && r.name !== undefined) ? 1 : 0;
    if (kept === 1 && r.namespace !== undefined) n = refField(w, n, 1, r.namespace);
    if (kept <= 2 && r.name !== undefined) n = refField(w, n, 2, r.name);
    if (r.uid !== undefined) n = refField(w, n, 3, r.uid);
    this.#encodeRefRest(w, r, n);
    // This line's objectRef is not where the positions point: a later event writes it whole.
    this.#refKept = 0;
    this.#ref0To = this.#ref1To = this.#ref2To = -1;
    return true;
  }

  /** The objectRef: ObjectReference's fields in Kubernetes' order, the unset ones left out; `marks`: remember where its first three end. */
  #encodeRef(w: LineEncoder, r: ObjectReference | undefined, marks: boolean): void {
    if (!r) return;
    let n = 0;
    if (r.resource !== undefined) n = refField(w, n, 0, r.resource);
    if (marks) this.#ref0To = w.at;
    if (r.namespace !== undefined) n = refField(w, n, 1, r.namespace);
    if (marks) this.#ref1To = w.at;
    if (r.name !== undefined) n = refField(w, n, 2, r.name);
    if (marks) this.#ref2To = w.at;
    if (r.uid !== undefined) n = refField(w, n, 3, r.uid);
    this.#encodeRefRest(w, r, n);
  }

  /** The objectRef's fields after its uid, and its end (`n`: how many were written before). */
  #encodeRefRest(w: LineEncoder, r: ObjectReference, n: number): void {
    if (r.apiGroup !== undefined) n = refField(w, n, 4, r.apiGroup);
    if (r.apiVersion !== undefined) n = refField(w, n, 5, r.apiVersion);
    if (r.resourceVersion !== undefined) n = refField(w, n, 6, r.resourceVersion);
    if (r.subresource !== undefined) n = refField(w, n, 7, r.subresource);
    w.fixed(n === 0 ? F.emptyRef : F.closeObject);
  }

  /** The requestURI to the userAgent, as the later events of the request copy them (#same). */
  #encodeSame(w: LineEncoder, e: Fields): void {
    const chunk = w.chunk;
    this.#sameFrom = w.at;
    w.text(e.requestURI);
    const verbKey = verbUserKeys.get(e.verb);
    if (verbKey !== undefined) w.frag(verbKey);
    else w.raw(verbUserKey(e.verb));
    const user = userJSON(e.user);
    if (Object.isFrozen(e.user)) w.frag(user);
    else w.raw(user);
    if (e.impersonatedUser) w.raw(`,"impersonatedUser":${JSON.stringify(e.impersonatedUser)}`);
    const ips = e.sourceIPs;
    if (ips.length === 0) w.fixed(F.noSourceIPs);
    else if (ips.length === 1) {
      w.fixed(F.sourceIPs);
      w.text(ips[0]!);
      w.fixed(F.closeList);
    } else w.raw(`,"sourceIPs":${JSON.stringify(ips)}`);
    if (e.userAgent) {
      w.fixed(F.userAgent);
      w.text(e.userAgent);
    }
    // A new chunk begun meanwhile moved the line: the range is good only when the chunk stayed.
    this.#same = w.chunk === chunk ? chunk : -1;
    this.#sameTo = w.at;
  }
}

/** objectRef's field number `k` (REF_FIELDS) after `n` others; returns n + 1. */
function refField(w: LineEncoder, n: number, k: number, v: string): number {
  w.fixed((n === 0 ? F.refFirst : F.refNext) + k);
  w.text(v);
  return n + 1;
}

/** ObjectReference's fields, in the order objectRefOf gives them (which is Kubernetes'). */
const REF_FIELDS = ['resource', 'namespace', 'name', 'uid', 'apiGroup', 'apiVersion', 'resourceVersion', 'subresource'] as const;
const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;

/**
 * The fixed parts of every line, which the encoder is made with (AuditEncoder's `fixed`): a
 * line's start by level up to the audit ID's value, from the stage to the requestURI's value,
 * the keys and closings. F gives their numbers.
 */
export const AUDIT_FRAGMENTS: readonly string[] = [
  ...LEVELS.map((l) => `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"${l}","auditID":`),
  ...STAGES.map((s) => `,"stage":"${s}","requestURI":`),
  ...REF_FIELDS.map((k) => `,"objectRef":{"${k}":`),
  ...REF_FIELDS.map((k) => `,"${k}":`),
  ',"sourceIPs":[]',
  ',"sourceIPs":[',
  ']',
  ',"userAgent":',
  ',"objectRef":{}',
  '}',
  ',"requestReceivedTimestamp":',
  ',"stageTimestamp":',
  '}\n',
];
export const F = {
  level: Object.fromEntries(LEVELS.map((l, i) => [l, i])) as Record<Level, number>,
  stage: Object.fromEntries(STAGES.map((s, i) => [s, 4 + i])) as Record<Stage, number>,
  refFirst: 8,
  refNext: 16,
  noSourceIPs: 24,
  sourceIPs: 25,
  closeList: 26,
  userAgent: 27,
  emptyRef: 28,
  closeObject: 29,
  received: 30,
  stageTime: 31,
  end: 32,
};

/** `,"verb":<verb>,"user":` by verb (Kubernetes' verbs, or a non-resource request's lower-case method: few; a fragment only once known). */
const verbUserKeys = new Map<string, string>();

export function verbUserKey(verb: string): string {
  let key = verbUserKeys.get(verb);
  if (key === undefined) {
    key = `,"verb":${JSON.stringify(verb)},"user":`;
    if (verbUserKeys.size < 256) verbUserKeys.set(verb, key);
  }
  return key;
}

/** `,"responseStatus":{"metadata":{},"code":N}` by code. */
const codeOnlyJSONs = new Map<number, string>();

export function codeOnlyJSON(code: number): string {
  let json = codeOnlyJSONs.get(code);
  if (json === undefined) codeOnlyJSONs.set(code, (json = `,"responseStatus":{"metadata":{},"code":${code}}`));
  return json;
}

/** Users serialized as an event writes them, by the (frozen, so unchanging) user object: a component sends as the same user object every time. */
const userJSONs = new WeakMap<AuditUser, string>();

export function userJSON(user: AuditUser): string {
  let json = userJSONs.get(user);
  if (json === undefined) {
    json = JSON.stringify(userInfoOf(user));
    if (Object.isFrozen(user)) userJSONs.set(user, json);
  }
  return json;
}

/** The authorization annotations as the first annotations of an event, by decision and reason (the reasons are few: the authorizers' words); null past the limit. */
const authorizationJSONs = { allow: new Map<string, string>(), forbid: new Map<string, string>() };
/** Past this many distinct reasons they are serialized each time (a reason may name the object). */
const AUTHORIZATION_JSON_LIMIT = 256;

export function authorizationJSON(decision: 'allow' | 'forbid', reason: string): string | null {
  const known = authorizationJSONs[decision];
  let json = known.get(reason);
  if (json === undefined) {
    if (known.size >= AUTHORIZATION_JSON_LIMIT) return null;
    known.set(reason, (json = `,"annotations":${JSON.stringify({ [DECISION_ANNOTATION]: decision, [REASON_ANNOTATION]: reason })}`));
  }
  return json;
}
