import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from '../../../bus/catalogue/api.ts';

/** The user the front's bearer token stands for: a cluster admin, as kubeadm's admin.conf is. */
export const ADMIN_USER: UserInfo = { username: 'kubeactor-admin', groups: ['system:masters', 'system:authenticated'] };

/**
 * Bearer-token authentication (Kubernetes' static token file, with one token). Returns the
 * user, or null when the request carries no valid token (the caller answers 401).
 */
export function authenticate(req: IncomingMessage, token: string): UserInfo | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m) return null;
  const given = Buffer.from(m[1]!.trim());
  const want = Buffer.from(token);
  // Constant-time comparison: the token is the only secret between kubectl and the cluster.
  if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
  return ADMIN_USER;
}
