/**
 * The user-space proxier of one node: opens a TCP or UDP listener per ListenerRule (a
 * ClusterIP:port this node owns, a NodePort on its InternalIP), forwards each new connection
 * to the endpoint the picker chooses, and closes the listeners of rules that went away (a
 * Service or port removed, or its last endpoint gone: new connections are then refused,
 * connections already open finish, as terminating endpoints drain). The rules are read at
 * each connection, so an endpoint change needs no new listener. A listener that cannot open
 * (address in use, a port below 1024 without privilege) is logged once and tried again every
 * BIND_RETRY_MS, on a real timer: socket pacing, not cluster behaviour, so it is not recorded.
 * A UDP listener that stays forgets the flows to endpoints no longer serving, so their
 * clients' next datagrams pick a live endpoint (kube-proxy's conntrack cleanup); its flows
 * time out on the actor's clock. An externalIP the rules cannot serve is logged once.
 */
import { rmSync } from 'node:fs';
import type { Clock } from '../../base/clock.ts';
import type { Logger } from '../actor-def.ts';
import type { ListenerRule, ProxyRules } from '../../machines/kube-proxy/rules.ts';
import { listenTcp, listenUdp, type Listener, type Upstream } from '../net/forward.ts';
import { connectTableText, writeConnectTable } from './connect-table.ts';
import { HealthCheckServers } from './healthz.ts';
import { EndpointPicker } from './picker.ts';

/** How long a listener that could not open waits before the next try. */
export const BIND_RETRY_MS = 5000;

/** What the actor needs of a proxier (a replay lends one without sockets). */
export interface ProxierLike {
  apply(rules: ProxyRules): void;
  listening(): string[];
  /** When the rules were last applied (kube-proxy's healthz lastUpdated); 0 before the first sync. */
  readonly lastSync: number;
  close(): void;
}

/** Whether a flow's upstream is still a serving endpoint of `rule` (its flows are kept). */
function servingOf(rule: ListenerRule): (to: Upstream) => boolean {
  const keep = new Set([...rule.endpoints, ...(rule.draining ?? [])].map((e) => `${e.ip}:${e.port}`));
  return (to) => keep.has(`${to.host}:${to.port}`);
}

export class Proxier implements ProxierLike {
  readonly #rules = new Map<string, ListenerRule>();
  readonly #listeners = new Map<string, Listener>();
  readonly #picker: EndpointPicker;
  readonly #health: HealthCheckServers;
  /** Syncs run one after another: a listen in flight must not race the next sync's close. */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  lastSync = 0;
  #latest: ProxyRules | undefined;
  #retry: NodeJS.Timeout | undefined;
  /** The failures already logged, so a retry that fails the same way is quiet. */
  #said: Record<string, string> = {};
  /** The addresses already logged as not served. */
  #notServed = new Set<string>();
  /** The connect table last written (connectTable given). */
  #table: string | undefined;

  /** `connectTable`: where this node's process pods read their connect-time translation (connect-table.ts). */
  constructor(nodeIP: string, private readonly clock: Pick<Clock, 'now'>, private readonly log: Pick<Logger, 'warn'>, private readonly connectTable?: string) {
    this.#picker = new EndpointPicker(clock);
    this.#health = new HealthCheckServers(nodeIP);
  }

  /** Makes the listeners match `rules` (asynchronously; syncs run in order). */
  apply(rules: ProxyRules): void {
    this.#latest = rules;
    this.#queue = this.#queue.then(() => this.#sync(rules)).then((failed) => this.#retryIfNeeded(rules, failed), () => undefined);
  }


  /** The listeners open now, by key (`ip:PROTO/port`). */
  listening(): string[] {
    return [...this.#listeners.keys()];
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    for (const l of this.#listeners.values()) l.close();
    this.#listeners.clear();
    this.#health.close();
    // Pods left running then connect to the ClusterIPs themselves, as without the table.
    if (this.connectTable) rmSync(this.connectTable, { force: true });
  }

  async #sync(rules: ProxyRules): Promise<Record<string, string>> {
    if (this.#closed) return {};
    this.#rules.clear();
    for (const r of rules.listeners) this.#rules.set(r.key, r);
    for (const [key, l] of this.#listeners) {
      if (this.#rules.has(key)) continue;
      l.close();
      this.#listeners.delete(key);
    }
    this.#picker.retain(new Set(rules.listeners.map((r) => r.servicePort)));
    for (const r of rules.listeners) if (r.protocol === 'UDP') this.#listeners.get(r.key)?.retainUpstreams(servingOf(r));
    const failed: Record<string, string> = {};
    for (const r of rules.listeners) {
      if (this.#listeners.has(r.key)) continue;
      try {
        const l = r.protocol === 'UDP' ? await listenUdp(r.ip, r.port, this.#policy(r.key), () => this.clock.now()) : await listenTcp(r.ip, r.port, this.#policy(r.key));
        // Closed or superseded while listening: the listener is not wanted any more.
        if (this.#closed || !this.#rules.has(r.key)) l.close();
        else this.#listeners.set(r.key, l);
      } catch (err) {
        failed[r.key] = `${r.servicePort}: listen ${r.protocol} ${r.ip}:${r.port}: ${(err as Error).message}`;
      }
    }
    Object.assign(failed, await this.#health.sync(rules.healthChecks));
    if (this.connectTable) {
      const text = connectTableText(rules.connect);
      if (text !== this.#table) {
        try {
          await writeConnectTable(this.connectTable, text);
          this.#table = text;
        } catch (err) {
          failed['connect-table'] = `writing the connect table ${this.connectTable}: ${(err as Error).message}`;
        }
      }
    }
    for (const n of rules.notServed ?? []) if (!this.#notServed.has(n.key)) this.log.warn(`kube-proxy: ${n.servicePort}: ${n.reason}`);
    this.#notServed = new Set((rules.notServed ?? []).map((n) => n.key));
    this.lastSync = this.clock.now();
    return failed;
  }

  #retryIfNeeded(rules: ProxyRules, failed: Record<string, string>): void {
    for (const [key, why] of Object.entries(failed)) if (this.#said[key] !== why) this.log.warn(`kube-proxy: ${why}`);
    this.#said = failed;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.#closed || Object.keys(failed).length === 0) return;
    this.#retry = setTimeout(() => {
      if (this.#latest === rules) this.apply(rules);
    }, BIND_RETRY_MS);
    this.#retry.unref();
  }

  #policy(key: string) {
    return {
      pick: (client: string, tried: number) => {
        const rule = this.#rules.get(key);
        const ep = rule && this.#picker.pick(rule, client, tried);
        return ep && { host: ep.ip, port: ep.port };
      },
    };
  }
}
