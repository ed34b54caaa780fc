import type { ClusterList, ClusterSummary, EventRow, NodeRow, PodRow, ServiceRow, Window, WorkloadRow } from '../../actors/ui/source.ts';
import type { Conn } from './conn.ts';
import { clock, fill, h } from './dom.ts';
import { VirtualList } from './virtual-list.ts';

const phases = (byPhase: Record<string, number>): HTMLElement =>
  h('span.phases', {}, ...Object.entries(byPhase).sort().map(([p, n]) => h(`span.chip.ph-${p.toLowerCase()}`, { title: p }, `${n} ${p}`)));

/** The cluster view: a summary line and four virtualized lists, each a window the server aggregates. */
export class ClusterView {
  readonly el: HTMLElement;
  readonly #summary = h('div.summary');
  readonly #lists: Record<ClusterList, VirtualList<never>>;
  readonly #filters: Partial<Record<ClusterList, string>> = {};
  readonly #podsPanel = h('div.pods-panel');
  #node: string | null = null;

  constructor(readonly conn: Conn) {
    const list = <R,>(name: ClusterList, height: number, render: (r: R) => HTMLElement) =>
      new VirtualList<R>(height, render, (offset, limit) => void this.#window(name, offset, limit), `list-${name}`);
    this.#lists = {
      nodes: list<NodeRow>('nodes', 30, (n) => h('div.row.node', { 'data-node': n.name, onclick: () => void this.openNode(n.name) },
        h('span.name', {}, n.name), h(`span.badge.${n.ready ? 'ok' : 'bad'}`, {}, n.status), h('span.count', {}, `${n.pods} pods`), phases(n.byPhase),
        h('span.podnames', {}, ...n.podNames.map((p) => h('span.pod', {}, p.split('/').pop()!))))),
      workloads: list<WorkloadRow>('workloads', 30, (w) => h(`div.row.workload.ro-${w.rollout}`, { title: w.message ?? '' },
        h('span.kind', {}, w.kind), h('span.name', {}, `${w.namespace}/${w.name}`), h('span.count', {}, `${w.ready}/${w.desired} ready`),
        h('span.count', {}, `${w.updated} up-to-date`), h(`span.badge.${w.rollout === 'complete' ? 'ok' : w.rollout === 'failed' ? 'bad' : 'warn'}`, {}, w.rollout), h('span.msg', {}, w.message ?? ''))),
      services: list<ServiceRow>('services', 30, (s) => h('div.row.service', {},
        h('span.name', {}, `${s.namespace}/${s.name}`), h('span.kind', {}, s.type), h('span.ip', {}, s.clusterIP ?? '<none>'), h('span.ports', {}, s.ports),
        h('span.count', { title: s.endpoints.join(' ') }, `${s.readyEndpoints} ready${s.notReadyEndpoints ? `, ${s.notReadyEndpoints} not ready` : ''}`), h('span.eps', {}, s.endpoints.slice(0, 4).join(' ')))),
      events: list<EventRow>('events', 30, (e) => h(`div.row.event.ev-${e.type.toLowerCase()}`, { title: e.message },
        h('span.time', {}, clock(e.at)), h('span.kind', {}, e.type), h('span.reason', {}, e.reason), h('span.name', {}, e.object), h('span.msg', {}, e.message))),
    } as unknown as Record<ClusterList, VirtualList<never>>;
    const panel = (name: ClusterList, title: string) => h(`section.panel.panel-${name}`, {},
      h('header', {}, h('h2', {}, title), h<HTMLInputElement>('input.filter', { placeholder: 'filter', type: 'search', oninput: (ev: Event) => {
        this.#filters[name] = (ev.target as HTMLInputElement).value;
        this.#lists[name].refresh();
      } })),
      this.#lists[name].el);
    this.el = h('div.view.cluster-view', {}, this.#summary,
      h('div.grid', {}, panel('nodes', 'Nodes'), panel('workloads', 'Workloads'), panel('services', 'Services'), panel('events', 'Events')),
      this.#podsPanel);
  }

  start(): void {
    for (const l of Object.values(this.#lists)) l.refresh();
  }

  async #window(list: ClusterList, offset: number, limit: number): Promise<void> {
    const w = await this.conn.call<Window<never>>({ op: 'window', list, offset, limit, ...(this.#filters[list] ? { filter: this.#filters[list] } : {}) });
    this.#lists[list].show(w);
  }

  async openNode(node: string | null): Promise<void> {
    this.#node = node;
    if (node === null) return fill(this.#podsPanel);
    const w = await this.conn.call<Window<PodRow>>({ op: 'pods', node, offset: 0, limit: 500 });
    this.#showPods(w);
  }

  #showPods(w: Window<PodRow>): void {
    if (this.#node === null) return;
    fill(this.#podsPanel, h('header', {}, h('h2', {}, `Pods on ${this.#node || '(unscheduled)'} (${w.total})`), h('button', { onclick: () => void this.openNode(null) }, 'close')),
      h('div.pods', {}, ...w.rows.map((p) => h(`div.row.pod.st-${p.status.toLowerCase()}`, { 'data-pod': `${p.namespace}/${p.name}` },
        h('span.name', {}, `${p.namespace}/${p.name}`), h('span.badge', {}, p.status), h('span.count', {}, p.ready), h('span.count', {}, `${p.restarts} restarts`), h('span.kind', {}, p.owner ?? '')))));
  }

  summary(s: ClusterSummary): void {
    fill(this.#summary,
      h('span.stat', {}, h('b', {}, String(s.nodes.total)), ` nodes (${s.nodes.ready} ready)`),
      h('span.stat', {}, h('b', {}, String(s.pods.total)), ' pods'), phases(s.pods.byPhase),
      s.pods.unscheduled ? h('span.stat.link', { onclick: () => void this.openNode('') }, `${s.pods.unscheduled} unscheduled`) : null,
      h('span.stat', {}, h('b', {}, String(s.workloads)), ' workloads'),
      h('span.stat', {}, h('b', {}, String(s.services)), ' services'),
      h('span.stat', {}, h('b', {}, String(s.events)), ' events'));
  }

  /** A pushed frame: the summary and the windows this tab shows. */
  frame(summary: ClusterSummary, windows: Record<string, Window<unknown>>): void {
    this.summary(summary);
    for (const [k, w] of Object.entries(windows)) {
      if (k in this.#lists) this.#lists[k as ClusterList].show(w as Window<never>);
      else if (k === `pods:${this.#node}`) this.#showPods(w as Window<PodRow>);
    }
  }
}
