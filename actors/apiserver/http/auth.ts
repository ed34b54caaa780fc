import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from '../../../bus/catalogue/api.ts';
import type { FrontContext } from './context.ts';
import { certificateIdentity } from './x509.ts';
import { userInfoOf } from '../identity.ts';

/** The user the front's bearer token stands for: a cluster admin, as kubeadm's admin.conf is. */
export const ADMIN_USER: UserInfo = { username: 'kubeactor-admin', groups: ['system:masters', 'system:authenticated'] };

/** The bearer token of a request, or null. */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1]!.trim() : null;
}

/**
 * Bearer-token authentication (Kubernetes' static token file, with one token). Returns the
 * user, or null when the request carries no valid token (the caller answers 401).
 */
export function authenticate(req: IncomingMessage, token: string): UserInfo | null {
  const bearer = bearerToken(req);
  if (bearer === null) return null;
  const given = Buffer.from(bearer);
  const want = Buffer.from(token);
  // Constant-time comparison: the token is the only secret between kubectl and the cluster.
  if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
  return ADMIN_USER;
}

/**
 * Kubernetes' authenticator chain: a client certificate signed by the cluster CA first
 * (x509.ts), then the admin token, then ServiceAccount tokens: only the apiserver holds their
 * signing key (actors/apiserver/tokens.ts), so any other bearer token is sent to it as a
 * TokenReview and the request acts as the user it answers, or is 401.
 */
export async function authenticateRequest(ctx: FrontContext, req: IncomingMessage, token: string): Promise<UserInfo | null> {
  const cert = certificateIdentity(req);
  if (cert.type === 'user') return cert.user;
  const admin = authenticate(req, token);
  if (admin) return admin;
  const bearer = bearerToken(req);
  if (bearer === null) return null;
  const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: { token: bearer } };
  const target = { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews' };
  const r = await ctx.port.request(ctx.apiserver, 'api.create', { target, object: review }, { timeoutMs: ctx.requestTimeoutMs });
  if (!r.ok) return null;
  const st = (r.value.object as { status?: { authenticated?: boolean; user?: UserInfo } }).status;
  return st?.authenticated && st.user ? userInfoOf(st.user) : null;
}
