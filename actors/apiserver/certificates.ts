/**
 * What the apiserver stamps on a new CertificateSigningRequest (its strategy's
 * PrepareForCreate): spec.username, uid, groups and extra are the requester's, never the
 * body's, so a signer and an approver know who asked.
 */
import type { KubeObject, UserInfo } from '../../bus/catalogue/api.ts';
import type { ResourceInfo } from './resources.ts';
import { userInfoOf } from './identity.ts';

export function withRequester(res: ResourceInfo, obj: KubeObject, user: UserInfo): KubeObject {
  if (res.gr !== 'certificatesigningrequests.certificates.k8s.io') return obj;
  const { username: _u, uid: _id, groups: _g, extra: _e, ...spec } = (obj.spec ?? {}) as Record<string, unknown>;
  const { username, uid, groups, extra } = userInfoOf(user);
  return { ...obj, spec: { ...spec, username, ...(uid ? { uid } : {}), groups, ...(extra ? { extra } : {}) } };
}
