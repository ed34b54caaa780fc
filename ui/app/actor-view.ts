import type { ActorOpened } from '../../actors/ui/protocol.ts';
import type { ActorEvent, ActorInfo, ActorState, ActorUpdate, Window } from '../../actors/ui/source.ts';
import { activeStateIds, chartOf, renderChart, setActive, type ChartDef } from '../chart/index.ts';
import type { Conn } from './conn.ts';
import { clock, fill, h, json } from './dom.ts';

const EVENTS_SHOWN = 50;

/** The actor view: pick an actor, see its chart (active states highlighted live), context and recent events. */
export class ActorView {
  readonly el: HTMLElement;
  readonly #list = h('div.actor-list');
  readonly #chart = h('div.chart');
  readonly #title = h('h2.actor-title');
  readonly #value = h('pre.value');
  readonly #context = h('pre.context');
  readonly #events = h('ol.events');
  #select = '';
  #def: ChartDef | undefined;
  #address: string | undefined;
  #evs: ActorEvent[] = [];
  /** Actors a verify found diverging (marked in the list). */
  readonly diverged = new Set<string>();

  constructor(readonly conn: Conn) {
    this.el = h('div.view.actor-view', {},
      h('aside', {}, h<HTMLInputElement>('input.filter', { type: 'search', placeholder: 'actors (glob: controller.*, pod.*)', oninput: (ev: Event) => {
        this.#select = (ev.target as HTMLInputElement).value.trim();
        void this.loadList();
      } }), this.#list),
      h('main', {}, this.#title, this.#chart,
        h('div.columns', {}, h('section', {}, h('h3', {}, 'State'), this.#value, h('h3', {}, 'Context'), this.#context), h('section', {}, h('h3', {}, 'Recent events'), this.#events))));
  }

  async loadList(): Promise<void> {
    const sel = this.#select && !/[*?,]/.test(this.#select) ? `*${this.#select}*` : this.#select;
    const w = await this.conn.call<Window<ActorInfo>>({ op: 'actors', ...(sel ? { select: sel } : {}), limit: 500 });
    fill(this.#list, ...w.rows.map((a) => h(`div.actor${a.address === this.#address ? '.selected' : ''}${this.diverged.has(a.address) ? '.diverged' : ''}`, { 'data-address': a.address, onclick: () => void this.open(a.address) },
      h('span.name', {}, a.address), h(`span.badge.${a.state === 'running' ? 'ok' : 'warn'}`, {}, a.state))),
      w.total > w.rows.length ? h('div.more', {}, `${w.total - w.rows.length} more: narrow the filter`) : null);
  }

  async open(address: string): Promise<void> {
    this.#address = address;
    for (const el of this.#list.querySelectorAll('.actor')) el.classList.toggle('selected', el.getAttribute('data-address') === address);
    const opened = await this.conn.call<ActorOpened>({ op: 'actor', address });
    if (this.#address !== address) return;
    // The feed sends the definition as wire JSON (definitionJson); chartOf reads it back.
    this.#def = opened.definition ? chartOf(opened.definition) : undefined;
    this.#evs = opened.events;
    fill(this.#title, address);
    if (this.#def) {
      const svg = await renderChart(this.#def, opened.state?.value);
      if (this.#address !== address) return;
      this.#chart.innerHTML = svg;
    } else fill(this.#chart, h('p.none', {}, 'no state chart for this actor'));
    if (opened.state) this.#state(opened.state);
    this.#showEvents();
  }

  close(): void {
    if (this.#address !== undefined) void this.conn.call({ op: 'actor', address: null });
    this.#address = undefined;
  }

  /** A pushed update of the actor shown. */
  update(u: ActorUpdate, events?: ActorEvent[]): void {
    if (u.type === 'gone') {
      if (u.address === this.#address) fill(this.#value, `${u.address} stopped`);
      return;
    }
    if (u.state.address !== this.#address) return;
    if (events) this.#evs = events;
    else if (u.event) this.#evs = [...this.#evs, u.event].slice(-EVENTS_SHOWN);
    this.#state(u.state);
    this.#showEvents();
  }

  #state(s: ActorState): void {
    const active = this.#def ? activeStateIds(this.#def, s.value) : s.active;
    const svg = this.#chart.querySelector('svg');
    if (svg) setActive(svg, active);
    this.#value.textContent = `${s.status}  ${JSON.stringify(s.value)}${s.seq !== undefined ? `  (after seq ${s.seq})` : ''}`;
    this.#value.setAttribute('data-value', JSON.stringify(s.value));
    this.#context.textContent = json(s.context);
  }

  #showEvents(): void {
    fill(this.#events, ...this.#evs.slice(-EVENTS_SHOWN).reverse().map((e) => h('li', { title: json(e.event) }, h('span.time', {}, clock(e.at)), e.seq !== undefined ? h('span.seq', {}, `#${e.seq}`) : null, h('span.type', {}, e.type))));
  }
}
