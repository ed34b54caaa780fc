import { KvError } from './backend.ts';

/**
 * The `continue` token of a paged range: the prefix, the last key served and the
 * revision of the first page, so later pages read the same snapshot (Kubernetes' list
 * continue token carries the same two facts). Opaque to callers: base64url JSON.
 */
export interface ContinuePoint {
  prefix: string;
  lastKey: string;
  revision: number;
}

export function encodeContinue(p: ContinuePoint): string {
  return Buffer.from(JSON.stringify({ v: 1, p: p.prefix, k: p.lastKey, r: p.revision })).toString('base64url');
}

/** Decodes a token given for `prefix`; 'bad-continue' when it is malformed or belongs to another prefix. */
export function decodeContinue(token: string, prefix: string): ContinuePoint {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a continue token');
  }
  const t = raw as { v?: unknown; p?: unknown; k?: unknown; r?: unknown };
  if (t === null || typeof t !== 'object' || t.v !== 1 || typeof t.p !== 'string' || typeof t.k !== 'string' || !Number.isInteger(t.r) || (t.r as number) < 0) {
    throw bad('not a continue token');
  }
  if (t.p !== prefix || !t.k.startsWith(prefix)) throw bad(`the token was issued for prefix "${t.p}", not "${prefix}"`);
  return { prefix: t.p, lastKey: t.k, revision: t.r as number };
}

function bad(why: string): KvError {
  return new KvError('bad-continue', `invalid continue token: ${why}`);
}

/**
 * The reply for one page: `items` are the served records (already cut at the limit) and
 * `more` how many matches follow them; a token is issued only when some do.
 */
export function pageReply<T extends { key: string }>(
  items: T[],
  more: number,
  prefix: string,
  revision: number,
): { items: T[]; revision: number; continue?: string; remaining?: number } {
  const last = items[items.length - 1];
  if (more <= 0 || !last) return { items, revision };
  return { items, revision, continue: encodeContinue({ prefix, lastKey: last.key, revision }), remaining: more };
}
