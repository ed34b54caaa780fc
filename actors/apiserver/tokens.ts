/**
 * ServiceAccount tokens: serviceaccounts/token (TokenRequest, what `kubectl create token`
 * posts) issues them, and TokenReview checks them.
 *
 * A token is a JWT, as Kubernetes' are, but signed HS256 with a key only the apiserver
 * holds (signing-key.ts: a file of the data directory, so tokens outlive restarts, or
 * process memory; never the kv store). Because only the apiserver can check a signature,
 * the HTTPS front asks it: an `api.create` of an authentication.k8s.io/v1 TokenReview on
 * the bus (routed in dispatch.ts), answered with the token's user.
 *
 * A token authenticates as system:serviceaccount:<ns>:<name>, in groups
 * system:serviceaccounts, system:serviceaccounts:<ns> and system:authenticated, with the
 * account's uid and the extra of its binding (pod-name, pod-uid, node-name, credential-id), while it
 * has not expired and its ServiceAccount — and the Pod, Secret or Node it is bound to
 * (token-binding.ts) — still exists with the uid it was issued for.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KubeObject, PayloadShape, UserInfo, WriteReply } from './types.ts';
import { badRequest, fail, invalid, notFound, ok, type Result } from '../../base/status.ts';
import { rfc3339 } from '../../api/time.ts';
import { isObject } from '../../api/json.ts';
import { invalid as invalidField } from '../../api/validation/errors.ts';
import type { Call, ServerContext } from './context.ts';
import { readCurrent } from './store.ts';
import { objectStorageKey } from './storage-keys.ts';
import { boundObjects, checkBinding, type Extra, type KubernetesClaim } from './token-binding.ts';
import { serviceAccountInfo, userInfoOf } from './identity.ts';

export const ISSUER = 'https://kubernetes.default.svc.cluster.local';
/**
 * The apiserver's own audiences (kube-apiserver's --api-audiences, which default to the
 * issuer): a TokenRequest without audiences gets these, and a bearer token is accepted only
 * if it was issued for one of them — a token made for another service (`kubectl create token
 * SA --audience=https://vault.example.com`) is no credential for the apiserver.
 */
export const API_AUDIENCES: readonly string[] = Object.freeze([ISSUER]);
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
/** serviceaccount.WarnOnlyBoundTokenExpirationSeconds: what the kube-api-access volume asks for. */
const WARN_ONLY_EXPIRATION_SECONDS = 3607;
/** --service-account-extend-token-expiration (default on): such a pod-bound token is valid for a year (ExpirationExtensionSeconds), warning after 3607 s. */
const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 60 * 60;

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const sign = (key: Buffer, data: string): string => createHmac('sha256', key).update(data).digest('base64url');

interface Claims {
  iss: string;
  sub: string;
  aud: string[] | string;
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

type TokenRequestSpec = { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: { apiVersion?: string; kind?: string; name?: string; uid?: string } | null };

/** TokenRequest on serviceaccounts/<name>/token: a signed token for that account, bound to a Pod, Secret or Node when spec.boundObjectRef names one. */
export async function requestToken(s: ServerContext, call: Call<PayloadShape<'api.create'>>): Promise<Result<WriteReply>> {
  const { namespace = '', name = '' } = call.payload.target;
  const body = call.payload.object as KubeObject & { spec?: TokenRequestSpec };
  if (body.metadata?.name && body.metadata.name !== name) return fail(badRequest('name in URL does not match name in TokenRequest object'));
  const expirationSeconds = body.spec?.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  const tooShort = !Number.isInteger(expirationSeconds) || expirationSeconds < MIN_EXPIRATION_SECONDS;
  if (tooShort || expirationSeconds > MAX_EXPIRATION_SECONDS) {
    const message = tooShort ? 'may not specify a duration less than 10 minutes' : 'may not specify a duration larger than 2^32 seconds';
    return fail(invalid('TokenRequest', name, [invalidField('spec.expirationSeconds', expirationSeconds, message)], 'authentication.k8s.io'));
  }
  const sa = await readCurrent(s, objectStorageKey('serviceaccounts', namespace, name));
  if (!sa.ok) return sa;
  if (!sa.value || sa.value.obj.metadata?.deletionTimestamp) return fail(notFound('serviceaccounts', name));
  const ref = body.spec?.boundObjectRef ?? null;
  const bound = await boundObjects(s, namespace, name, ref);
  if (!bound.ok) return bound;
  const nowS = Math.floor(s.clock.now() / 1000);
  const audiences = body.spec?.audiences?.length ? body.spec.audiences : [...API_AUDIENCES];
  // Upstream's safe transition for projected tokens: the kube-api-access token lives a year but warns after its 3607 s.
  const extended = !!bound.value.pod && expirationSeconds === WARN_ONLY_EXPIRATION_SECONDS && audiences.every((a) => API_AUDIENCES.includes(a));
  const claim: KubernetesClaim = { namespace, serviceaccount: { name, uid: sa.value.obj.metadata?.uid ?? '' }, ...bound.value };
  if (extended) claim.warnafter = nowS + expirationSeconds;
  const claims: Claims = {
    iss: ISSUER,
    sub: `system:serviceaccount:${namespace}:${name}`,
    aud: audiences,
    exp: nowS + (extended ? EXTENDED_EXPIRATION_SECONDS : expirationSeconds),
    iat: nowS,
    nbf: nowS,
    jti: s.newId(),
    'kubernetes.io': claim,
  };
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  const token = `${unsigned}.${sign(await s.signingKey(), unsigned)}`;
  const object = {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds, boundObjectRef: ref },
    status: { token, expirationTimestamp: rfc3339((nowS + expirationSeconds) * 1000) },
  } as unknown as KubeObject;
  return ok({ object, created: true });
}

const isStringList = (x: unknown): x is string[] => Array.isArray(x) && x.every((a) => typeof a === 'string');

/** What a token check answers: the user and the audiences it was accepted for, or why not. */
export type TokenCheck = { ok: true; user: UserInfo; audiences: string[] } | { ok: false; error?: string };

// Go's %q of a []string, as the JWT authenticator prints audiences in its error.
const quoted = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/**
 * The service account user a token stands for, if it is signed, unexpired, its account
 * still exists and it was issued for one of `audiences` (default the apiserver's own):
 * as Kubernetes' JWT authenticator, the accepted audiences are the intersection.
 */
export async function checkToken(s: ServerContext, token: string, audiences: readonly string[] = API_AUDIENCES): Promise<TokenCheck> {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false };
  const [header = '', payload = '', sig = ''] = parts;
  const want = Buffer.from(sign(await s.signingKey(), `${header}.${payload}`));
  const given = Buffer.from(sig);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return { ok: false };
  let claims: Claims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
  } catch {
    return { ok: false };
  }
  const nowS = s.clock.now() / 1000;
  if (!(claims.exp > nowS) || claims.nbf > nowS + 60) return { ok: false };
  const tokenAudiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  const accepted = tokenAudiences.filter((a) => audiences.includes(a));
  if (accepted.length === 0) return { ok: false, error: `token audiences ${quoted(tokenAudiences)} is invalid for the target audiences ${quoted(audiences)}` };
  const ref = claims['kubernetes.io'];
  const sa = await readCurrent(s, objectStorageKey('serviceaccounts', ref.namespace, ref.serviceaccount.name));
  if (!sa.ok || !sa.value || sa.value.obj.metadata?.uid !== ref.serviceaccount.uid || sa.value.obj.metadata?.deletionTimestamp) return { ok: false };
  const binding = await checkBinding(s, ref);
  if (!binding.ok) return binding;
  const extra: Extra = { ...binding.extra, 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] };
  // The account's uid is the user's, as upstream's ServiceAccount authenticator gives it.
  const user = userInfoOf({ ...serviceAccountInfo(ref.namespace, ref.serviceaccount.name), uid: ref.serviceaccount.uid, extra });
  return { ok: true, user, audiences: accepted };
}

/**
 * TokenReview (authentication.k8s.io/v1): whether spec.token authenticates, and as whom.
 * spec.audiences, when given, replace the apiserver's audiences as those the token must
 * carry one of (a service checking tokens made for it); status.audiences are the matched ones.
 */
export async function reviewToken(s: ServerContext, call: Call<PayloadShape<'api.create'>>): Promise<Result<WriteReply>> {
  const spec = call.payload.object.spec;
  if (!isObject(spec) || typeof spec.token !== 'string') return fail(badRequest('spec.token: Required value'));
  const wanted = spec.audiences;
  if (wanted !== undefined && wanted !== null && !isStringList(wanted)) return fail(badRequest('spec.audiences: must be a list of strings'));
  const audiences = isStringList(wanted) && wanted.length ? wanted : undefined;
  const r = await checkToken(s, spec.token, audiences);
  const status = r.ok ? { authenticated: true, user: r.user, audiences: r.audiences } : { authenticated: false, user: {}, ...(r.error ? { error: r.error } : {}) };
  const object = {
    kind: 'TokenReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    // The token is not echoed: replies are recorded, and a recording must hold no credential.
    spec: audiences ? { audiences } : {},
    status,
  } as unknown as KubeObject;
  return ok({ object, created: true });
}

/** True for a TokenReview target (not a served resource: it is answered, never stored). */
export const isTokenReview = (t: { group: string; resource: string }): boolean => t.group === 'authentication.k8s.io' && t.resource === 'tokenreviews';
