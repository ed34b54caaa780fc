/**
 * The RBAC authorizer's view of the stored roles and bindings (Kubernetes' RBAC authorizer
 * with its role and binding listers), read from the apiserver's own watch cache. Bindings are
 * indexed by subject (user name, group, ServiceAccount), so a request costs the bindings of its
 * user, not all of them; the index and the resolved rules per (user, namespace) are dropped
 * whenever a role or binding changes, and rebuilt on the next request.
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef } from 'kubernetes-types/rbac/v1.js';
import { isResourceRequest, rulesAllow, subjectKey, userKeys, type RbacUser, type RequestAttributes } from '../../api/rbac/rules.ts';
import type { ResourceCache, WatchCache } from './watch-cache.ts';

export const ROLES = 'roles.rbac.authorization.k8s.io';
export const CLUSTER_ROLES = 'clusterroles.rbac.authorization.k8s.io';
export const ROLE_BINDINGS = 'rolebindings.rbac.authorization.k8s.io';
export const CLUSTER_ROLE_BINDINGS = 'clusterrolebindings.rbac.authorization.k8s.io';
/** The four RBAC resources, in the order #refresh reads them. */
export const RBAC_GRS = [ROLES, CLUSTER_ROLES, ROLE_BINDINGS, CLUSTER_ROLE_BINDINGS];

/** Resolved rule sets kept before the memo starts over (users × namespaces seen between changes). */
const MEMO_LIMIT = 10_000;

type Bindings = Map<string, (RoleBinding | ClusterRoleBinding)[]>;

class RbacIndex {
  #dirty = true;
  #sources: (ResourceCache | undefined)[] = [];
  #cluster: Bindings = new Map();
  /** namespace → subject key → RoleBindings. */
  #namespaced = new Map<string, Bindings>();
  /** Resolved rules by user (userMemoKey) and namespace ('' for cluster-wide only). */
  #memo = new Map<string, Map<string, readonly PolicyRule[]>>();
  /** Entries in #memo's inner maps. */
  #memoSize = 0;

  constructor(private readonly cache: WatchCache) {
    cache.onEvents((gr) => {
      if (RBAC_GRS.includes(gr)) this.#dirty = true;
    });
  }

  /** VisitRulesFor: the rules of every ClusterRoleBinding of the user, then of its RoleBindings in `namespace`. */
  rulesFor(user: RbacUser, namespace: string | undefined): readonly PolicyRule[] {
    this.#refresh();
    // By user, then namespace: two lookups of strings that already exist, where one key joining them made a string per request.
    const userKey = userMemoKey(user);
    let byNamespace = this.#memo.get(userKey);
    const hit = byNamespace?.get(namespace ?? '');
    if (hit) return hit;
    const rules: PolicyRule[] = [];
    const keys = userKeys(user);
    const seen = new Set<unknown>();
    const add = (b: RoleBinding | ClusterRoleBinding, ns: string | undefined) => {
      if (seen.has(b)) return;
      seen.add(b);
      rules.push(...this.#roleRules(b.roleRef, ns));
    };
    for (const k of keys) for (const b of this.#cluster.get(k) ?? []) add(b, undefined);
    if (namespace) {
      const byKey = this.#namespaced.get(namespace);
      if (byKey) for (const k of keys) for (const b of byKey.get(k) ?? []) add(b, namespace);
    }
    if (this.#memoSize >= MEMO_LIMIT) {
      this.#memo.clear();
      this.#memoSize = 0;
      byNamespace = undefined;
    }
    if (!byNamespace) this.#memo.set(userKey, (byNamespace = new Map()));
    byNamespace.set(namespace ?? '', rules);
    this.#memoSize++;
    return rules;
  }

  /** The rules a binding's roleRef names: a Role of the binding's namespace or a ClusterRole (none when missing). */
  #roleRules(ref: RoleRef, namespace: string | undefined): readonly PolicyRule[] {
    const gr = ref.kind === 'Role' ? ROLES : ref.kind === 'ClusterRole' ? CLUSTER_ROLES : null;
    if (gr === null || (gr === ROLES && !namespace)) return [];
    const role = this.cache.object(gr, gr === ROLES ? namespace : undefined, ref.name) as Role | ClusterRole | undefined;
    return role?.rules ?? [];
  }

  #sameSources(): boolean {
    for (let i = 0; i < RBAC_GRS.length; i++) if (this.cache.resources.get(RBAC_GRS[i]!) !== this.#sources[i]) return false;
    return true;
  }

  #refresh(): void {
    // A re-prime replaces the per-resource caches without events: follow their identity too (nothing made per request).
    if (!this.#dirty && this.#sameSources()) return;
    const sources = RBAC_GRS.map((gr) => this.cache.resources.get(gr));
    this.#dirty = false;
    this.#sources = sources;
    this.#memo.clear();
    this.#memoSize = 0;
    this.#cluster = new Map();
    this.#namespaced = new Map();
    for (const b of sources[3]?.items.values() ?? []) file(this.#cluster, b as unknown as ClusterRoleBinding, '');
    for (const b of sources[2]?.items.values() ?? []) {
      const ns = b.metadata?.namespace ?? '';
      let byKey = this.#namespaced.get(ns);
      if (!byKey) this.#namespaced.set(ns, (byKey = new Map()));
      file(byKey, b as unknown as RoleBinding, ns);
    }
  }
}

function file(into: Bindings, b: RoleBinding | ClusterRoleBinding, namespace: string): void {
  for (const s of b.subjects ?? []) {
    const k = subjectKey(s, namespace);
    if (k === null) continue;
    let list = into.get(k);
    if (!list) into.set(k, (list = []));
    list.push(b);
  }
}

/** The user's part of a memo key, by user object when it cannot change (a bus sender's user is one frozen object). */
const userMemoKeys = new WeakMap<RbacUser, string>();

function userMemoKey(user: RbacUser): string {
  let key = userMemoKeys.get(user);
  if (key === undefined) {
    key = `${user.username}\u0000${user.groups.join('\u0001')}\u0000`;
    if (Object.isFrozen(user) && Object.isFrozen(user.groups)) userMemoKeys.set(user, key);
  }
  return key;
}

const indexes = new WeakMap<WatchCache, RbacIndex>();

/** The rules RBAC grants `user` in `namespace` (cluster-wide only when absent), from the cache's roles and bindings. */
export function rbacRules(cache: WatchCache, user: RbacUser, namespace: string | undefined): readonly PolicyRule[] {
  let idx = indexes.get(cache);
  if (!idx) indexes.set(cache, (idx = new RbacIndex(cache)));
  return idx.rulesFor(user, namespace);
}

/** Answers remembered per rule set before its memo starts over (distinct verb and resource pairs asked). */
const DECISIONS_LIMIT = 4096;

/** A rule set's answers by request, and whether a name can change them. */
interface Decisions {
  readonly byName: boolean;
  /** Resource requests' answers by verb, group, resource and subresource ('' for none). */
  readonly resources: Map<string, Map<string, Map<string, Map<string, boolean>>>>;
  /** Non-resource requests' answers by verb and path. */
  readonly paths: Map<string, Map<string, boolean>>;
  /** Answers kept, in both. */
  size: number;
}

/** By rule set: the resolved rules of a (user, namespace) are one array until a role or binding changes, NODE_RULES one for good. */
const decisionsOf = new WeakMap<readonly PolicyRule[], Decisions>();

/** The map under `key` in `m`, made when missing. */
function inner<K, V>(m: Map<K, V>, key: K, make: () => V): V {
  let v = m.get(key);
  if (v === undefined) m.set(key, (v = make()));
  return v;
}

/**
 * rulesAllow, remembered per rule set: the same components ask the same few questions at every
 * request (a kubelet patching pod status, a controller creating pods), and walking their role's
 * rules each time was most of authorization's cost. Upstream's RBAC authorizer walks the rules
 * per request too; this keeps its answers, not a different logic. An answer is kept only when no
 * name can change it: a named request against a rule set with resourceNames is walked each time.
 * A changed role or binding makes new rule arrays (rbac.ts's memo starts over), so old answers are
 * never consulted again. The answers are found by the request's own strings, map by map: a key
 * joining them made a string per request.
 */
export function rulesAllowRemembered(a: RequestAttributes, rules: readonly PolicyRule[]): boolean {
  let d = decisionsOf.get(rules);
  if (d === undefined) decisionsOf.set(rules, (d = { byName: rules.some((r) => (r.resourceNames?.length ?? 0) > 0), resources: new Map(), paths: new Map(), size: 0 }));
  const resource = isResourceRequest(a);
  if (resource && d.byName && a.name) return rulesAllow(a, rules);
  const answers = resource
    ? inner(inner(inner(d.resources, a.verb, newMap<string, Map<string, Map<string, boolean>>>), a.group, newMap<string, Map<string, boolean>>), a.resource, newMap<string, boolean>)
    : inner(d.paths, a.verb, newMap<string, boolean>);
  const key = resource ? a.subresource ?? '' : a.path;
  let allowed = answers.get(key);
  if (allowed === undefined) {
    allowed = rulesAllow(a, rules);
    if (d.size >= DECISIONS_LIMIT) {
      d.resources.clear();
      d.paths.clear();
      d.size = 0;
      return allowed;
    }
    answers.set(key, allowed);
    d.size++;
  }
  return allowed;
}

const newMap = <K, V>(): Map<K, V> => new Map<K, V>();
