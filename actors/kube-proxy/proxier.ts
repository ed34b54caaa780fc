/**
 * The user-space proxier of one node: opens a TCP or UDP listener per ListenerRule (a
 * ClusterIP:port this node owns, a NodePort on its InternalIP), forwards each new connection
 * to the endpoint the picker chooses, and closes the listeners of rules that went away (a
 * Service or port removed, or its last endpoint gone: new connections are then refused,
 * connections already open finish, as terminating endpoints drain). The rules are read at
 * each connection, so an endpoint change needs no new listener.
 */
import type { Clock } from '../../base/clock.ts';
import type { ListenerRule, ProxyRules } from '../../machines/kube-proxy/rules.ts';
import { listenTcp, listenUdp, type Listener } from '../net/forward.ts';
import { HealthCheckServers } from './healthz.ts';
import { EndpointPicker } from './picker.ts';

export class Proxier {
  readonly #rules = new Map<string, ListenerRule>();
  readonly #listeners = new Map<string, Listener>();
  readonly #picker: EndpointPicker;
  readonly #health: HealthCheckServers;
  /** Syncs run one after another: a listen in flight must not race the next sync's close. */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** When the rules were last applied (kube-proxy's healthz lastUpdated); 0 before the first sync. */
  lastSync = 0;

  constructor(nodeIP: string, private readonly clock: Pick<Clock, 'now'>) {
    this.#picker = new EndpointPicker(clock);
    this.#health = new HealthCheckServers(nodeIP);
  }

  /** Makes the listeners match `rules`; resolves to the listeners that could not open, by key, with why. */
  apply(rules: ProxyRules): Promise<Record<string, string>> {
    const run = this.#queue.then(() => this.#sync(rules));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The listeners open now, by key (`ip:PROTO/port`). */
  listening(): string[] {
    return [...this.#listeners.keys()];
  }

  close(): void {
    this.#closed = true;
    for (const l of this.#listeners.values()) l.close();
    this.#listeners.clear();
    this.#health.close();
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
    const failed: Record<string, string> = {};
    for (const r of rules.listeners) {
      if (this.#listeners.has(r.key)) continue;
      try {
        const l = await (r.protocol === 'UDP' ? listenUdp : listenTcp)(r.ip, r.port, this.#policy(r.key));
        // Closed or superseded while listening: the listener is not wanted any more.
        if (this.#closed || !this.#rules.has(r.key)) l.close();
        else this.#listeners.set(r.key, l);
      } catch (err) {
        failed[r.key] = `${r.servicePort}: listen ${r.protocol} ${r.ip}:${r.port}: ${(err as Error).message}`;
      }
    }
    Object.assign(failed, await this.#health.sync(rules.healthChecks));
    this.lastSync = this.clock.now();
    return failed;
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
