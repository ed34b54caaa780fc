/**
 * Errors as data: the Kubernetes `Status` shape (metav1.Status), used on the bus for every
 * failure and turned into an exception only at the edge (HTTP front, CLI, client helpers).
 *
 * A `Result<T>` is what every request on the bus resolves to; no request rejects.
 */

/** One cause of an Invalid (422) or BadRequest error, in Kubernetes field-path form. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The metav1.Status of a failure. `code` is the HTTP status code the edge answers with. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { resourceVersion?: string };
  status: 'Failure';
  code: number;
  reason: StatusReason;
  message: string;
  details?: StatusDetails;
}

/** Kubernetes' StatusReason values (k8s.io/apimachinery/pkg/apis/meta/v1/types.go). */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Invalid'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Unknown'
  // StatusReasonUnknown: what kube-apiserver answers for a plain Go error (a conversion webhook's failure); JSON omits it.
  | '';

export type Result<T> = { ok: true; value: T } | { ok: false; status: Status };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(status: Status): Result<T> => ({ ok: false, status });

/** Builds a Status; prefer the named constructors below. */
export function status(code: number, reason: StatusReason, message: string, details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message };
  if (details) s.details = details;
  return s;
}

/** `resource` is the plural resource name ("pods"), as Kubernetes puts it in `details.kind`. */
export const notFound = (resource: string, name: string, group?: string): Status =>
  status(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, withGroup({ name, kind: resource }, group));

export const alreadyExists = (resource: string, name: string, group?: string): Status =>
  status(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, withGroup({ name, kind: resource }, group));

/** An optimistic-concurrency failure; `why` is Kubernetes' tail, e.g. the "object has been modified" text. */
export const conflict = (resource: string, name: string, why: string, group?: string): Status =>
  status(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`, withGroup({ name, kind: resource }, group));

export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/** 422 Invalid. `kind` is the object Kind ("Pod"), as Kubernetes puts it in `details.kind`. */
export function invalid(kind: string, name: string, causes: StatusCause[], group?: string): Status {
  const lines = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : `${c.message}`));
  const list = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
  return status(422, 'Invalid', `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${list}`, withGroup({ name, kind, causes }, group));
}

export const badRequest = (message: string, causes?: StatusCause[]): Status =>
  status(400, 'BadRequest', message, causes ? { causes } : undefined);
export const unauthorized = (message = 'Unauthorized'): Status => status(401, 'Unauthorized', message);
export const forbidden = (message: string, details?: StatusDetails): Status => status(403, 'Forbidden', message, details);
export const methodNotAllowed = (message = 'the server does not allow this method on the requested resource'): Status =>
  status(405, 'MethodNotAllowed', message);
/** 410 with reason Expired: a resourceVersion older than the retained history ("too old resource version"). */
export const expired = (message: string): Status => status(410, 'Expired', message);
export const gone = (message: string): Status => status(410, 'Gone', message);
export const tooLarge = (message: string): Status => status(413, 'RequestEntityTooLarge', message);
export const unsupportedMediaType = (message: string): Status => status(415, 'UnsupportedMediaType', message);
export const tooManyRequests = (message: string, retryAfterSeconds?: number): Status =>
  status(429, 'TooManyRequests', message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds });
export const internalError = (message: string): Status => status(500, 'InternalError', `Internal error occurred: ${message}`);
export const unavailable = (message: string): Status => status(503, 'ServiceUnavailable', message);
export const timeout = (message: string): Status => status(504, 'Timeout', message);

// Predicates: the questions callers ask of a Status (its shape, its reason) belong here.

/** True when `x` has the Status shape (for checking what arrived from outside). */
export function isStatus(x: unknown): x is Status {
  return typeof x === 'object' && x !== null && (x as Status).kind === 'Status' && typeof (x as Status).code === 'number';
}

/** The edge's exception: carries the Status it came from. Never thrown inside the bus. */
export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
    this.name = `ApiError(${status.reason})`;
  }
}

/** At the edge: unwrap a Result or throw its Status as an ApiError. The one Result-to-throw helper. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new ApiError(r.status);
}

/** The Status of an ApiError, a Status itself, or a failed Result; undefined for anything else. */
export function statusOf(x: unknown): Status | undefined {
  if (x instanceof ApiError) return x.status;
  if (isStatus(x)) return x;
  if (typeof x === 'object' && x !== null && (x as { ok?: unknown }).ok === false) return statusOf((x as { status?: unknown }).status);
  return undefined;
}

const byReason = (...reasons: StatusReason[]) => (x: Status | ApiError | Result<unknown> | unknown): boolean => {
  const s = statusOf(x);
  return s !== undefined && reasons.includes(s.reason);
};
const byCode = (code: number) => (x: Status | ApiError | Result<unknown> | unknown): boolean => statusOf(x)?.code === code;

/*
 * Predicates over a Status, an ApiError or a failed Result (apimachinery's errors.IsNotFound & co.).
 * NotFound, Forbidden, Gone and TooManyRequests go by code, as client-go falls back to;
 * the 409 and 410 pairs are told apart by reason.
 */
/** 404. */
export const isNotFound = byCode(404);
/** 409 Conflict: an optimistic-concurrency (resourceVersion or precondition) failure. */
export const isConflict = byReason('Conflict');
/** 409 AlreadyExists. */
export const isAlreadyExists = byReason('AlreadyExists');
/** Any 409 (Conflict or AlreadyExists): the write lost a race. */
export const isConflictOrExists = byCode(409);
/** 410: the resourceVersion is older than the retained history (reason Gone or Expired). */
export const isGone = byCode(410);
/** 410 with reason Expired ("too old resource version"). */
export const isExpired = byReason('Expired');
export const isBadRequest = byCode(400);
export const isUnauthorized = byCode(401);
export const isForbidden = byCode(403);
export const isInvalid = byReason('Invalid');
export const isTooManyRequests = byCode(429);
export const isInternalError = byCode(500);
/** 503: the server (or a store or kubelet behind it) is unavailable. */
export const isServiceUnavailable = byCode(503);
/** 504 Timeout, as the bus answers an unanswered request. */
export const isTimeout = byCode(504);

function qualified(resource: string, group?: string): string {
  return group ? `${resource}.${group}` : resource;
}
function withGroup(d: StatusDetails, group?: string): StatusDetails {
  return group ? { ...d, group } : d;
}
