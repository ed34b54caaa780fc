import { APISERVER_ADDRESS } from './permissions.ts';

/**
 * Sender identities on NATS: which addresses a process may claim as `from`.
 *
 * Each process connects with its own NATS user; the user name is its identity. An
 * identity claims a set of address patterns with NATS token semantics (tokens split on
 * '.'; `*` matches exactly one token, a trailing `>` one or more): the same patterns
 * become the user's subscribe permissions in the generated server config
 * (bus/nats/server-config.ts), and the receiving bus checks every envelope's `from`
 * against the publishing identity's claims, counting a mismatch as `forged`.
 *
 * The default table:
 *
 * | identity        | claims                                                  |
 * |-----------------|---------------------------------------------------------|
 * | `control-plane` | `apiserver`, `kv`, `scheduler`, `controller.*`, `cloud-controller.*`, `informers` (the shared informer factory), `dns` (cluster DNS), `edge.*` (the HTTP front), `apiserver.webhooks` (admission webhook calls) |
 * | `node-<name>`   | `kubelet.<name>`, `proxy.<name>`, `pod.*`               |
 * | `nodes`         | `kubelet.*`, `proxy.*`, `pod.*` (a process simulating many nodes) |
 * | `apiserver`     | `apiserver`, `kv`, `edge.*`, `apiserver.webhooks` (`kubeactor up --role apiserver`) |
 * | `scheduler`     | `scheduler`, `lease.kube-scheduler`, `informers.*` (`--role scheduler`) |
 * | `controller-manager` | `controller.*`, `cloud-controller.*`, `lease.kube-controller-manager`, `lease.cloud-controller-manager`, `informers.*` (`--role controller-manager`) |
 *
 * A node identity claims only its own kubelet and proxy: a compromised node cannot speak
 * for another. Pod uids are not tied to nodes, so `pod.*` is shared. Only an identity
 * that claims the apiserver may publish to the kv actor (see `mayReachKv`).
 */
export type Claims = readonly string[];

/** Maps an identity to its claims; `undefined` for an identity the cluster does not know. */
export type IdentityTable = (identity: string) => Claims | undefined;

export const CONTROL_PLANE = 'control-plane';
export const NODES = 'nodes';
/** The identities of `kubeactor up --role apiserver|scheduler|controller-manager`: only the first may reach the kv actor. */
export const ROLE_IDENTITIES = { apiserver: 'apiserver', scheduler: 'scheduler', 'controller-manager': 'controller-manager' } as const;
const NODE_PREFIX = 'node-';

/** The identity of the process that runs the kubelet and proxy of node `nodeName`. */
export const nodeIdentity = (nodeName: string): string => `${NODE_PREFIX}${nodeName}`;

const CONTROL_PLANE_CLAIMS: Claims = Object.freeze(['apiserver', 'kv', 'scheduler', 'controller.*', 'cloud-controller.*', 'informers', 'dns', 'metrics-server', 'edge.*', 'apiserver.webhooks', 'lease.*']);
const NODES_CLAIMS: Claims = Object.freeze(['kubelet.*', 'proxy.*', 'pod.*']);
const ROLE_CLAIMS: Readonly<Record<string, Claims>> = Object.freeze({
  apiserver: Object.freeze(['apiserver', 'kv', 'edge.*', 'apiserver.webhooks']),
  scheduler: Object.freeze(['scheduler', 'lease.kube-scheduler', 'informers.*']),
  'controller-manager': Object.freeze(['controller.*', 'cloud-controller.*', 'lease.kube-controller-manager', 'lease.cloud-controller-manager', 'informers.*']),
});

/** The default table (see the module comment). */
export const defaultIdentities: IdentityTable = (identity) => {
  if (identity === CONTROL_PLANE) return CONTROL_PLANE_CLAIMS;
  if (identity === NODES) return NODES_CLAIMS;
  if (Object.prototype.hasOwnProperty.call(ROLE_CLAIMS, identity)) return ROLE_CLAIMS[identity];
  if (identity.startsWith(NODE_PREFIX) && identity.length > NODE_PREFIX.length) {
    const node = identity.slice(NODE_PREFIX.length);
    return [`kubelet.${node}`, `proxy.${node}`, 'pod.*'];
  }
  return undefined;
};

/** A table from explicit entries, e.g. for a test that simulates a misconfigured process. */
export function identityTable(entries: Record<string, Claims>, fallback: IdentityTable = () => undefined): IdentityTable {
  return (identity) => (Object.prototype.hasOwnProperty.call(entries, identity) ? entries[identity] : fallback(identity));
}

const TOKEN = /^[A-Za-z0-9_-]+$/;
const ADDRESS = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** An identity is one subject token (it sits at a fixed position of every subject). */
export const isIdentity = (s: string): boolean => TOKEN.test(s);
/** An address (or topic) is one or more subject tokens, with no wildcard or whitespace. */
export const isAddress = (s: string): boolean => ADDRESS.test(s);

/** True when `address` matches `pattern` (NATS token semantics, see the module comment). */
export function matchPattern(pattern: string, address: string): boolean {
  if (pattern === address) return true;
  if (pattern.endsWith('.>')) return address.startsWith(pattern.slice(0, -1));
  if (!pattern.includes('*')) return false;
  const p = pattern.split('.');
  const a = address.split('.');
  if (p.length !== a.length) return false;
  for (let i = 0; i < p.length; i++) if (p[i] !== '*' && p[i] !== a[i]) return false;
  return true;
}

/**
 * A claim checker with a cache, for the receive path (one lookup per message). The cache
 * is bounded: a node with many pods sends from many addresses.
 */
export class ClaimChecker {
  // Two levels rather than a joined key: no string is built per message.
  readonly #cache = new Map<string, Map<string, boolean>>();
  #size = 0;
  constructor(private readonly table: IdentityTable) {}

  mayClaim(identity: string, address: string): boolean {
    let byAddress = this.#cache.get(identity);
    if (byAddress === undefined) this.#cache.set(identity, (byAddress = new Map()));
    let ok = byAddress.get(address);
    if (ok === undefined) {
      const claims = this.table(identity);
      ok = claims !== undefined && claims.some((p) => matchPattern(p, address));
      if (++this.#size > 8192) {
        this.#cache.clear();
        this.#size = 1;
        this.#cache.set(identity, byAddress = new Map());
      }
      byAddress.set(address, ok);
    }
    return ok;
  }
}

/** True when `identity` may claim `address` in `table`. */
export function mayClaim(table: IdentityTable, identity: string, address: string): boolean {
  return (table(identity) ?? []).some((p) => matchPattern(p, address));
}

/** Only an identity that claims the apiserver may publish to the kv actor's subjects. */
export const mayReachKv = (table: IdentityTable, identity: string): boolean => mayClaim(table, identity, APISERVER_ADDRESS);
