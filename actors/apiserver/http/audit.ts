/**
 * Audit at the HTTP front: every REST request gets an audit ID, sent back as the Audit-Id
 * header (a client's own Audit-ID is kept, as kube-apiserver keeps it), and — when a policy
 * is loaded — a record that logs the request as kube-apiserver's WithAudit filter does:
 * RequestReceived once it is authenticated, ResponseStarted when a long-running request's
 * headers go out, ResponseComplete when the response closes, with the decoded body and the
 * answer as the level allows.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AuditAttributes } from '../../../api/audit/types.ts';
import type { UserInfo } from '../../../bus/catalogue/api.ts';
import type { Auditor, AuditRecord } from '../audit/auditor.ts';
import { verbOf } from './resources.ts';
import type { Route } from './route.ts';

/** The response header carrying the request's audit ID (the request header of the same name is honoured). */
export const AUDIT_ID_HEADER = 'Audit-Id';

const records = new WeakMap<IncomingMessage, AuditRecord>();

/** The request's audit record, when it is being audited (for the body reader and an authorizer to add to). */
export const auditOf = (req: IncomingMessage): AuditRecord | undefined => records.get(req);

/** The request's audit ID (its Audit-ID header when sane, else a new UUID), set on the response. */
export function assignAuditId(req: IncomingMessage, res: ServerResponse): string {
  const id = auditIdOf(req);
  res.setHeader(AUDIT_ID_HEADER, id);
  return id;
}

/** The client's Audit-ID when it is a plausible header value, else a new UUID. */
function auditIdOf(req: IncomingMessage): string {
  const given = req.headers['audit-id'];
  return typeof given === 'string' && /^[\x21-\x7e]{1,128}$/.test(given) ? given : randomUUID();
}

/** The request as the policy sees it: RequestInfo's verb, resource and namespace, or the lower-case method of a non-resource path. */
export function auditAttributes(req: IncomingMessage, route: Route, url: URL, user: UserInfo): AuditAttributes {
  const method = req.method ?? 'GET';
  if (route.type !== 'resource') return { user, verb: method.toLowerCase(), path: url.pathname };
  const resource: NonNullable<AuditAttributes['resource']> = { group: route.group, version: route.version, resource: route.resource };
  // RequestInfo takes /namespaces/x as the namespace x too.
  const namespace = route.namespace ?? (route.resource === 'namespaces' ? route.name : undefined);
  if (namespace !== undefined) resource.namespace = namespace;
  if (route.name !== undefined) resource.name = route.name;
  if (route.subresource !== undefined) resource.subresource = route.subresource;
  return { user, verb: verbOf(method, route, url.searchParams) ?? method.toLowerCase(), resource, path: url.pathname };
}

/**
 * Starts auditing one request for `user`: the RequestReceived event now; ResponseStarted
 * (long-running requests) and ResponseComplete follow from the response itself.
 */
export function auditRequest(audit: Auditor, req: IncomingMessage, res: ServerResponse, attrs: AuditAttributes, auditID: string, longRunning: boolean): AuditRecord | null {
  const record = startRecord(audit, req, attrs, auditID);
  if (!record) return null;
  records.set(req, record);
  let body: Buffer | string | undefined;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    const chunk = args[0];
    if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) body = chunk;
    return end(...args);
  }) as typeof res.end;
  if (longRunning) {
    const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      record.responseStarted(args[0] as number);
      return writeHead(...args);
    }) as typeof res.writeHead;
  }
  res.once('close', () => {
    const code = res.headersSent ? res.statusCode : 200;
    if (attrs.user.username !== '') authorizedFrom(record, code, body);
    record.complete(code, answerOf(record, res, code, body));
  });
  return record;
}

/** The answer as the event may carry it: parsed only when it may be logged (RequestResponse) or is a Status. */
function answerOf(record: AuditRecord, res: ServerResponse, code: number, body: Buffer | string | undefined): unknown {
  if (body === undefined || body.length === 0) return undefined;
  if (!String(res.getHeader('content-type') ?? '').startsWith('application/json')) return undefined;
  const status = code >= 300 || body.includes('"kind":"Status"');
  if (!status && record.level !== 'RequestResponse') return undefined;
  try {
    return JSON.parse(body.toString());
  } catch {
    return undefined;
  }
}

/**
 * The authorization annotations of a REST request: the apiserver actor authorizes it, so the
 * front reads its answer — a 403 in the authorizer's words is "forbid", the rest "allow".
 */
function authorizedFrom(record: AuditRecord, code: number, body: Buffer | string | undefined): void {
  const denied = code === 403 && body !== undefined && /"reason":"Forbidden"/.test(String(body)) && /User \\"[^"\\]*\\" cannot /.test(String(body));
  record.authorized(denied ? 'forbid' : 'allow');
}

/**
 * Audit of an upgrade request (exec, attach, port-forward), whose answer is written raw on
 * the socket: the status line of the first write says how it went — 101 is ResponseStarted,
 * and ResponseComplete follows when the stream closes; a refusal completes with its Status.
 * The Audit-Id header is added to that answer either way. Returns the record (null when not audited).
 */
export function auditUpgrade(audit: Auditor | undefined, req: IncomingMessage, socket: Duplex, attrs: AuditAttributes): AuditRecord | null {
  const auditID = auditIdOf(req);
  const record = audit ? startRecord(audit, req, attrs, auditID) : null;
  let code = 0;
  let body = '';
  const sniff = (chunk: unknown): unknown => {
    if (code !== 0 || (typeof chunk !== 'string' && !Buffer.isBuffer(chunk))) return chunk;
    const text = chunk.toString('latin1');
    const m = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n/.exec(text);
    if (!m) return chunk;
    code = Number(m[1]);
    if (code === 101) record?.responseStarted(101);
    else body = text.slice(text.indexOf('\r\n\r\n') + 4);
    const withId = `${m[0]}${AUDIT_ID_HEADER}: ${auditID}\r\n${text.slice(m[0].length)}`;
    return typeof chunk === 'string' ? withId : Buffer.from(withId, 'latin1');
  };
  const write = socket.write.bind(socket) as (...a: unknown[]) => boolean;
  const end = socket.end.bind(socket) as (...a: unknown[]) => Duplex;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => write(sniff(chunk), ...rest)) as typeof socket.write;
  socket.end = ((chunk: unknown, ...rest: unknown[]) => end(...(typeof chunk === 'function' || chunk === undefined ? [chunk, ...rest] : [sniff(chunk), ...rest]))) as typeof socket.end;
  if (!record) return null;
  socket.once('close', () => {
    if (attrs.user.username !== '') authorizedFrom(record, code, body);
    let answer: unknown;
    try {
      answer = body ? JSON.parse(body) : undefined;
    } catch {
      answer = undefined;
    }
    record.complete(code === 101 || code === 0 ? 200 : code, answer);
  });
  return record;
}

function startRecord(audit: Auditor, req: IncomingMessage, attrs: AuditAttributes, auditID: string): AuditRecord | null {
  const remote = req.socket.remoteAddress;
  const start = { attrs, auditID, requestURI: req.url ?? '/', sourceIPs: remote ? [remote.replace(/^::ffff:/, '')] : [] };
  const agent = req.headers['user-agent'];
  return audit.begin(agent ? { ...start, userAgent: agent } : start);
}
