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
import type { Auditor, AuditRecord } from './auditor.ts';

type Payload = { user?: UserInfo; target?: ApiTarget; id?: string; object?: unknown; patch?: unknown; options?: Record<string, unknown>; listOptions?: Record<string, unknown> };

/** Query parameters a bus request's options stand for, in the order kubectl's client writes them. */
const LIST_PARAMS = ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch'] as const;

/** A bus request comes from no address: one empty list for all (never written to). */
const NO_SOURCE_IPS: string[] = Object.freeze([]) as unknown as string[];

/** The apiserver incarnation's audit of bus requests. */
export class BusAudit {
  readonly #auditor: Auditor;
  readonly #now: () => number;
  /** Open watches' records by sender and watch id. */
  readonly #watches = new Map<string, AuditRecord>();

  constructor(auditor: Auditor, clock: Clock) {
    this.#auditor = auditor;
    this.#now = () => clock.now();
  }

  /** Starts the record of a request from a component (null for an edge's request or a None level). */
  begin(env: Envelope, user: UserInfo, verb: RequestVerb, name: string | undefined): AuditRecord | null {
    const p = env.payload as Payload;
    if (env.from.startsWith(TRUSTED_EDGE_PREFIX) && (p.user !== undefined || env.from.startsWith(HTTP_FRONT_ADDRESS))) return null;
    const t = p.target;
    if (!t) return null;
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
    const record = this.#auditor.begin({ attrs: { user, verb, resource, path }, requestURI: path + query(verb, p), sourceIPs: NO_SOURCE_IPS }, this.#now);
    if (!record) return null;
    const body = p.object ?? p.patch ?? (verb === 'delete' || verb === 'deletecollection' ? p.options : undefined);
    if (body !== undefined) record.requestObject(body);
    return record;
  }

  /** Completes a record with the reply; a watch that started stays open until unwatched. */
  replied(record: AuditRecord, env: Envelope, verb: RequestVerb, result: Result<unknown>): void {
    if (!result.ok) return record.complete(result.status.code, result.status);
    if (verb === 'watch') {
      record.responseStarted(200);
      const id = (env.payload as Payload).id;
      if (id !== undefined) this.#watches.set(`${env.from}\0${id}`, record);
      return;
    }
    const value = result.value as { object?: unknown; created?: boolean } | undefined;
    const write = verb !== 'get' && verb !== 'list' && verb !== 'deletecollection';
    const code = verb === 'create' || (write && value?.created) ? 201 : 200;
    record.complete(code, write ? value?.object : value);
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

/** The REST path of a target, as the front would have been asked. */
export function restPath(t: ApiTarget): string {
  let path = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  if (t.namespace !== undefined && t.resource !== 'namespaces') path += `/namespaces/${uriComponent(t.namespace)}`;
  path += `/${t.resource}`;
  if (t.name !== undefined) path += `/${uriComponent(t.name)}`;
  if (t.subresource !== undefined) path += `/${t.subresource}`;
  return path;
}

/** What encodeURIComponent leaves as it is: a name or namespace (DNS labels and subdomains) is the same string encoded. */
const URI_UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]*$/;

/** encodeURIComponent(s), without making a copy of the usual string that it would leave unchanged. */
const uriComponent = (s: string): string => (URI_UNRESERVED.test(s) ? s : encodeURIComponent(s));

function query(verb: RequestVerb, p: Payload): string {
  if (verb !== 'list' && verb !== 'watch' && verb !== 'deletecollection') return '';
  const q = new URLSearchParams();
  const opts = verb === 'deletecollection' ? p.listOptions : verb === 'list' || verb === 'watch' ? p.options : undefined;
  for (const k of LIST_PARAMS) if (opts?.[k] !== undefined && opts[k] !== '') q.set(k, String(opts[k]));
  if (verb === 'watch') q.set('watch', 'true');
  const s = q.toString();
  return s ? `?${s}` : '';
}
