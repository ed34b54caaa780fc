/**
 * What the dispatcher and the HTTP front share about one request's flow control: the key its
 * classification is remembered under, and the field of a reply to an edge that carries the
 * matched FlowSchema's and PriorityLevelConfiguration's UIDs (the front sends them as the
 * X-Kubernetes-PF-FlowSchema-UID and X-Kubernetes-PF-PriorityLevel-UID headers).
 */
import type { ApiTarget, UserInfo } from '../types.ts';
import { TRUSTED_EDGE_PREFIX } from '../identity.ts';

/** The reply field with the flow-control UIDs (only on replies to edges). */
export const PF_REPLY_FIELD = 'pf';

/** The UIDs a reply to an edge carries. */
export interface PfUids {
  flowSchema: string;
  priorityLevel: string;
}

/** The UIDs in a reply to an edge, if it carries them. */
export function pfUidsOf(reply: unknown): PfUids | undefined {
  const pf = (reply as Record<string, unknown> | null | undefined)?.[PF_REPLY_FIELD] as PfUids | undefined;
  return pf && typeof pf.flowSchema === 'string' ? pf : undefined;
}

/**
 * Everything classification reads of a request, as one string: a bus sender's address stands
 * for its user (the address fixes it); an edge's request names the user it authenticated.
 */
export function flowKey(from: string, user: UserInfo, verb: string, t: ApiTarget): string {
  const who = from.startsWith(TRUSTED_EDGE_PREFIX) ? `${user.username}\u0001${user.groups.join('\u0001')}` : from;
  return `${who}\u0000${verb}\u0000${t.group}\u0000${t.resource}\u0000${t.subresource ?? ''}\u0000${t.namespace ?? ''}`;
}
