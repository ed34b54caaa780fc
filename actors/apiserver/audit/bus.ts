/**
 * Audit of the requests components send the apiserver actor over the bus. The HTTP front
 * logs what it forwards itself (a request stating its user), knowing the URI, the client's
 * address and agent, and its own authentication lookups are not requests; so here the other
 * senders are logged — components, and the control plane's internal edges speaking for
 * themselves (`edge.node-lister`, `edge.apiserver-endpoints`: system:apiserver) — each as the
 * user its address maps to (identity.ts), with the requestURI its REST call would have and no
 * source IPs. A watch is ResponseStarted when it is answered and ResponseComplete when its
 * sender unwatches (or the apiserver stops).
 */
import type { Envelope } from '../../../base/envelope.ts';
import type { Result } from '../../../base/status.ts';
import type { ApiTarget, UserInfo } from '../../../bus/catalogue/api.ts';
import type { Clock } from '../../../base/clock.ts';
import { HTTP_FRONT_ADDRESS, TRUSTED_EDGE_PREFIX } from '../identity.ts';
import type { RequestVerb } from '../node-authorizer.ts';
import { levelLess } from '../../../api/audit/types.ts';
import { isObject } from '../../../api/json.ts';
import type { Auditor, RequestAudit } from './auditor.ts';
import { BusRecord, MASKS, writeAnswered, type BusShape, type CommonFragments, type TemplateSet } from './bus-record.ts';
import { AUDIT_FRAGMENTS, F, userJSON, verbUserKey } from './record.ts';
import { HOLE, uriComponent } from './wire.ts';

type Payload = { user?: UserInfo; target?: ApiTarget; id?: string; object?: unknown; patch?: unknown; options?: Record<string, unknown>; listOptions?: Record<string, unknown> };

/** The body that fills in a request's objectRef: its object, its patch, or a delete's options. */
const requestBody = (p: Payload, deleting: boolean): unknown => p.object ?? p.patch ?? (deleting ? p.options : undefined);

/** Query parameters a bus request's options stand for, in the order kubectl's client writes them. */
const LIST_PARAMS = ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch'] as const;

/** A bus request comes from no address: one empty list for all (never written to). */
const NO_SOURCE_IPS: string[] = Object.freeze([]) as unknown as string[];

/** The apiserver incarnation's audit of bus requests. */
export class BusAudit {
  readonly #auditor: Auditor;
  readonly #now: () => number;
  /** Open watches' records by sender and watch id. */
  readonly #watches = new Map<string, RequestAudit>();
  /** The kinds of request seen (by verb and target), each with its users' shapes. */
  readonly #kinds = new Map<string, Kind>();
  /**
   * Each frozen user's latest kinds of request and their shapes (at most RECENT): a component
   * sends a few kinds over and over, found again by comparing fields — no key made per request.
   */
  readonly #recent = new Map<UserInfo, Recent[]>();
  /** Where the next kind of a user's full list of recent ones goes. */
  #evict = 0;
  /** The policy names no objects (Auditor.nameBlind): a request's shape does not depend on its name. */
  readonly #nameBlind: boolean;
  /** Fragments every BusRecord of this log uses. */
  readonly #common: CommonFragments = { codes: new Int32Array(600).fill(-2), allowed: -2 };

  constructor(auditor: Auditor, clock: Clock) {
    this.#auditor = auditor;
    this.#now = () => clock.now();
    this.#nameBlind = auditor.nameBlind;
  }

  /**
   * Starts the audit of a request from a component (null for an edge's request or a None
   * level) received at `received`: its record, or — for most, a component's request at
   * Metadata — only the shape `record` makes the record of at the reply, so that nothing is
   * held for the request while it waits.
   */
  begin(env: Envelope, user: UserInfo, verb: RequestVerb, name: string | undefined, received: number): BusStart | null {
    const p = env.payload as Payload;
    if (env.from.startsWith(TRUSTED_EDGE_PREFIX) && (p.user !== undefined || env.from.startsWith(HTTP_FRONT_ADDRESS))) return null;
    const t = p.target;
    if (!t) return null;
    // A list, watch or deletecollection has a query; a namespace names itself in its objectRef's namespace.
    if (verb !== 'list' && verb !== 'watch' && verb !== 'deletecollection' && t.resource !== 'namespaces' && this.#nameBlind) {
      const shape = this.#shapeOf(user, verb, t, name);
      if (shape === NONE) return null;
      if (shape !== NOT_COMPACT) {
        this.#auditor.counted(shape.decision.level);
        return shape;
      }
    }
    // Every field at once (unset ones undefined): one object shape for every request, not one per set of fields present.
    const resource: NonNullable<Parameters<Auditor['begin']>[0]['attrs']['resource']> = {
      group: t.group,
      version: t.version,
      resource: t.resource,
      namespace: t.namespace ?? (t.resource === 'namespaces' ? t.name : undefined),
      name,
      subresource: t.subresource,
    };
    const path = restPath(t);
    const record = this.#auditor.begin({ attrs: { user, verb, resource, path }, requestURI: path + query(verb, p), sourceIPs: NO_SOURCE_IPS, received }, this.#now);
    if (!record) return null;
    const body = requestBody(p, verb === 'delete' || verb === 'deletecollection');
    if (body !== undefined) record.requestObject(body);
    return record;
  }

  /**
   * The record of a request begun at `received` with the authorizer's answer (none: refused
   * before authorization): the one `begin` made, or one made now from the shape, its
   * RequestReceived event written with that time.
   */
  record(start: BusStart, received: number, env: Envelope, decision: 'allow' | 'forbid' | undefined): RequestAudit {
    let record: RequestAudit;
    if (isShape(start)) {
      const p = env.payload as Payload;
      const name = p.target!.name;
      record = new BusRecord(start, this.#auditor.emitter, this.#now, name, name, received);
      const body = requestBody(p, env.type === 'api.delete');
      if (body !== undefined) record.requestObject(body);
    } else record = start;
    if (decision !== undefined) record.authorized(decision);
    return record;
  }

  /**
   * Completes a request's audit with its reply and the authorizer's answer (none: refused before
   * authorization; or given to the record already): an allowed request answered with a code
   * alone is written at once (writeAnswered), any other through its record. A watch that started
   * stays open until unwatched.
   */
  replied(start: BusStart, received: number, env: Envelope, verb: RequestVerb, decision: 'allow' | 'forbid' | undefined, result: Result<unknown>): void {
    let code = 0;
    let body: unknown;
    if (result.ok && verb !== 'watch') {
      const value = result.value as { object?: unknown; created?: boolean } | undefined;
      const write = verb !== 'get' && verb !== 'list' && verb !== 'deletecollection';
      code = verb === 'create' || (write && value?.created) ? 201 : 200;
      body = write ? value?.object : value;
      // Only a Status answer has more than its code to log (the answer itself is not logged at Metadata).
      if (decision === 'allow' && isShape(start) && !(isObject(body) && body.kind === 'Status')) {
        const p = env.payload as Payload;
        if (writeAnswered(start, this.#auditor.emitter, this.#now, received, p.target!.name, requestBody(p, verb === 'delete'), code)) return;
      }
    }
    const record = this.record(start, received, env, decision);
    if (!result.ok) return record.complete(result.status.code, result.status);
    if (verb === 'watch') {
      record.responseStarted(200);
      const id = (env.payload as Payload).id;
      if (id !== undefined) this.#watches.set(`${env.from}\0${id}`, record);
      return;
    }
    record.complete(code, body);
  }

  /** The shape of a request that is not a list, watch or deletecollection, nor of namespaces (NOT_COMPACT from a user that is not frozen). */
  #shapeOf(user: UserInfo, verb: RequestVerb, t: ApiTarget, name: string | undefined): Shape {
    const named = t.name !== undefined;
    const recent = this.#recent.get(user);
    if (recent !== undefined) {
      for (let i = 0; i < recent.length; i++) {
        const r = recent[i]!;
        const k = r.kind;
        if (k.resource === t.resource && k.verb === verb && k.named === named && k.namespace === t.namespace && k.subresource === t.subresource && k.group === t.group && k.version === t.version) {
          // Swapped one place forward: a user's most frequent kinds (a kubelet's pod status patch) end up compared first.
          if (i > 0) {
            recent[i] = recent[i - 1]!;
            recent[i - 1] = r;
          }
          return r.shape;
        }
      }
    }
    // Shapes are kept by user object: only a frozen one stays the same user.
    if (!Object.isFrozen(user)) return NOT_COMPACT;
    // One lookup by a key of the fields; a kind found is checked field by field, so strings that spell another kind's key are
    // written by an AuditRecord, never as that kind.
    const key = `${verb}\0${t.group}\0${t.version}\0${t.resource}\0${t.namespace ?? ''}\0${t.subresource ?? ''}\0${named ? '/' : ''}`;
    let kind = this.#kinds.get(key);
    if (kind === undefined) {
      if (this.#kinds.size >= MAX_KINDS) return NOT_COMPACT;
      this.#kinds.set(key, (kind = { verb, group: t.group, version: t.version, resource: t.resource, namespace: t.namespace, subresource: t.subresource, named, set: templateSet(verb, t), users: new Map() }));
    } else if (kind.verb !== verb || kind.group !== t.group || kind.version !== t.version || kind.resource !== t.resource || kind.namespace !== t.namespace || kind.subresource !== t.subresource || kind.named !== named) return NOT_COMPACT;
    let shape = kind.users.get(user);
    if (shape === undefined) kind.users.set(user, (shape = this.#decide(kind, user, verb, t, name)));
    if (recent === undefined) this.#recent.set(user, [{ kind, shape }]);
    else if (recent.length < RECENT) recent.push({ kind, shape });
    else recent[this.#evict++ % RECENT] = { kind, shape };
    return shape;
  }

  /** A user's requests of a kind: their policy decision, and whether a BusRecord writes them. */
  #decide(kind: Kind, user: UserInfo, verb: RequestVerb, t: ApiTarget, name: string | undefined): Shape {
    const decision = this.#auditor.decide({ user, verb, resource: { group: t.group, version: t.version, resource: t.resource, namespace: t.namespace, name, subresource: t.subresource }, path: restPath(t) });
    if (decision.level === 'None') return NONE;
    // As AuditRecord's Secret rule: a Secret is logged at Metadata at most unless the rule names secrets.
    const level = t.group === '' && t.resource === 'secrets' && !decision.namesSecrets && levelLess('Metadata', decision.level) ? 'Metadata' : decision.level;
    if (level !== 'Metadata' || kind.set === null) return NOT_COMPACT;
    const id = this.#auditor.emitter.enc.id(userJSON(user));
    return id < 0 ? NOT_COMPACT : { decision, user: id, set: kind.set, common: this.#common };
  }

  /** The sender ended its watch. */
  unwatched(from: string, id: string): void {
    const key = `${from}\0${id}`;
    this.#watches.get(key)?.complete(200);
    this.#watches.delete(key);
  }

  /** The apiserver stops: every open watch is complete. */
  shutdown(): void {
    for (const r of this.#watches.values()) r.complete(200);
    this.#watches.clear();
  }
}

/** What a request's audit holds while it is served (BusAudit.begin). */
export type BusStart = RequestAudit | BusShape;

const isShape = (a: BusStart): a is BusShape => 'set' in a;

const NOT_COMPACT = 'not compact';
const NONE = 'none';
/** A user's requests of one kind: a BusRecord's shape, NOT_COMPACT where an AuditRecord writes them, or NONE. */
type Shape = BusShape | typeof NOT_COMPACT | typeof NONE;
/** A kind of request — its verb, target fields and whether it names an object —, its templates (null where they cannot be made) and its users' shapes. */
type Kind = {
  verb: RequestVerb;
  group: string;
  version: string;
  resource: string;
  namespace: string | undefined;
  subresource: string | undefined;
  named: boolean;
  set: TemplateSet | null;
  users: Map<UserInfo, Shape>;
};
/** A user's kind of request and its shape, remembered by the user. */
type Recent = { readonly kind: Kind; readonly shape: Shape };
/** Kinds remembered per user: a kubelet sends about six (its pods' and Node's status, its Lease, Events). */
const RECENT = 8;

/** Past this many kinds (a sender making up targets), requests of new ones get an AuditRecord. */
const MAX_KINDS = 16384;

/** Stands for a request's name in a requestURI while its template is made (parentheses: never in a namespace, resource or group). */
const NAME_TOKEN = '()name()';

/** The template parts of a kind of request (null when its requestURI cannot be cut around the name). */
function templateSet(verb: RequestVerb, t: ApiTarget): TemplateSet | null {
  const uri = restPath(t.name === undefined ? t : { ...t, name: NAME_TOKEN });
  if (uri.split(NAME_TOKEN).length !== (t.name === undefined ? 1 : 2)) return null;
  const str = (v: string | undefined): string | undefined => (v ? JSON.stringify(v) : undefined);
  return {
    head: `${AUDIT_FRAGMENTS[F.level.Metadata]}${HOLE.id}${HOLE.stage}${JSON.stringify(uri).replace(NAME_TOKEN, HOLE.uriName)}${verbUserKey(verb)}${HOLE.user}${AUDIT_FRAGMENTS[F.noSourceIPs]}`,
    resource: JSON.stringify(t.resource),
    namespace: str(t.namespace),
    apiGroup: str(t.group),
    apiVersion: t.version === undefined ? undefined : JSON.stringify(t.version),
    subresource: str(t.subresource),
    templates: new Int32Array(MASKS).fill(-2),
  };
}

/** The REST path of a target, as the front would have been asked. */
export function restPath(t: ApiTarget): string {
  let path = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  if (t.namespace !== undefined && t.resource !== 'namespaces') path += `/namespaces/${uriComponent(t.namespace)}`;
  path += `/${t.resource}`;
  if (t.name !== undefined) path += `/${uriComponent(t.name)}`;
  if (t.subresource !== undefined) path += `/${t.subresource}`;
  return path;
}


function query(verb: RequestVerb, p: Payload): string {
  if (verb !== 'list' && verb !== 'watch' && verb !== 'deletecollection') return '';
  const q = new URLSearchParams();
  const opts = verb === 'deletecollection' ? p.listOptions : verb === 'list' || verb === 'watch' ? p.options : undefined;
  for (const k of LIST_PARAMS) if (opts?.[k] !== undefined && opts[k] !== '') q.set(k, String(opts[k]));
  if (verb === 'watch') q.set('watch', 'true');
  const s = q.toString();
  return s ? `?${s}` : '';
}
