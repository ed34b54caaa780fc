/**
 * The custom resource kinds the apiextensions controllers of this process have registered in
 * the process's kind registry, counted by user: several clusters in one process (library
 * mode) share the registry, so a kind built from the same CRD spec is registered once and
 * removed when the last cluster that serves it lets it go.
 */
import { kindRegistry, type KindInfo } from '../../../api/kinds.ts';

interface Entry {
  kind: KindInfo;
  spec: string;
  users: Set<object>;
}

const entries = new Map<string, Entry>();

/** The kind registered for `gr` by a CRD (any user), or undefined. */
export function servedCustomKind(gr: string): KindInfo | undefined {
  return entries.get(gr)?.kind;
}

/**
 * Serves `kind` (built from `spec`) for `user`: registers it, reuses the same registration,
 * or replaces one only `user` holds. Throws when the registry refuses it or another user
 * serves a different spec under the same name.
 */
export function serveCustomKind(user: object, kind: KindInfo, spec: string): void {
  const e = entries.get(kind.gr);
  if (e && e.spec === spec) return void e.users.add(user);
  if (e && (e.users.size > 1 || !e.users.has(user))) throw new Error(`${kind.gr} is served from another definition in this process`);
  if (e) {
    kindRegistry.unregister(kind.gr);
    entries.delete(kind.gr);
  }
  kindRegistry.register(kind);
  entries.set(kind.gr, { kind, spec, users: new Set([user]) });
}

/** Stops serving `gr` for `user`; the kind is unregistered when no user is left. */
export function releaseCustomKind(user: object, gr: string): void {
  const e = entries.get(gr);
  if (!e?.users.delete(user) || e.users.size > 0) return;
  if (kindRegistry.get(gr) === e.kind) kindRegistry.unregister(gr);
  entries.delete(gr);
}
