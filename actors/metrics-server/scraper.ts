/**
 * metrics-server's scraper (pkg/scraper): every node from the apiserver, then each node's
 * kubelet over the bus (`kubelet.stats` to `kubelet.<node>`, as metrics-server GETs a
 * kubelet's /metrics/resource), all at once, each within the resolution. The batch of the
 * nodes that answered goes to the store; a scrape still running when the next tick comes is
 * not doubled.
 */
import type { Port } from '../../bus/bus.ts';
import type { NodeStats } from '../../bus/catalogue/metrics.ts';
import type { Logger } from '../actor-def.ts';
import { ApiClient, targets } from '../client/index.ts';
import type { MetricsStore } from '../../machines/metrics-server/store.ts';

export interface ScraperOptions {
  port: Port;
  log: Logger;
  store: MetricsStore;
  /** Each kubelet's answer is awaited this long (metrics-server: the resolution, less a little). */
  timeoutMs: number;
}

export class Scraper {
  readonly #api: ApiClient;
  #running = false;
  #stopped = false;

  constructor(private readonly o: ScraperOptions) {
    this.#api = new ApiClient(o.port);
  }

  /** Starts one scrape unless one is running. */
  tick(): void {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    void this.#scrape().finally(() => (this.#running = false));
  }

  stop(): void {
    this.#stopped = true;
  }

  async #scrape(): Promise<void> {
    const nodes = await this.#api.list(targets.nodes());
    if (!nodes.ok) return this.o.log.warn('metrics-server: listing nodes failed', { error: nodes.status.message });
    const names = nodes.value.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
    const answers = await Promise.all(names.map((n) => this.o.port.request(`kubelet.${n}`, 'kubelet.stats', {}, { timeoutMs: this.o.timeoutMs })));
    const batch: NodeStats[] = [];
    answers.forEach((a, i) => {
      if (a.ok) batch.push(a.value);
      else this.o.log.warn('metrics-server: scraping a node failed', { node: names[i], error: a.status.message });
    });
    if (!this.#stopped) this.o.store.store(batch);
  }
}
