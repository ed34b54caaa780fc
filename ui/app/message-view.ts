import type { MessageRow } from '../../actors/ui/source.ts';
import type { Conn } from './conn.ts';
import { clock, fill, h, json } from './dom.ts';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const COL = 280, ROW = 22, TOP = 40, LEFT = 90;
/** Lifelines drawn at most; further addresses share the last one, "…". */
const MAX_LINES = 12;
const SHOWN = 300;

/** The sequence diagram of one filter's messages: lifelines per actor, one arrow per message. */
export function sequenceSvg(rows: readonly MessageRow[], selected?: number): string {
  const lines: string[] = [];
  const col = (a: string): number => {
    let i = lines.indexOf(a);
    if (i < 0) {
      if (lines.length < MAX_LINES) i = lines.push(a) - 1;
      else i = lines.indexOf('…') >= 0 ? lines.indexOf('…') : lines.push('…') - 1;
    }
    return LEFT + i * COL;
  };
  const arrows = rows.map((m, k) => {
    const x1 = col(m.from), x2 = col(m.to), y = TOP + 10 + k * ROW;
    const self = x1 === x2;
    const path = self ? `M${x1},${y - 6} h30 v10 h-26` : `M${x1},${y} L${x2 + (x2 > x1 ? -6 : 6)},${y}`;
    const label = `${m.type}${m.brief ? ` ${m.brief}` : ''}`;
    const lx = self ? x1 + 34 : Math.min(x1, x2) + 6;
    return `<g class="msg k-${m.kind}${m.seq === selected ? ' selected' : ''}" data-seq="${m.seq}"><title>#${m.seq} ${esc(clock(m.at))} ${esc(m.from)} → ${esc(m.to)} ${esc(label)}</title>`
      + `<text class="seq" x="4" y="${y + 4}">${m.seq}</text><path d="${path}" marker-end="url(#arrow)"/>`
      + `<text x="${lx}" y="${y - 3}">${esc(label.length > 40 ? `${label.slice(0, 39)}…` : label)}</text></g>`;
  });
  const width = LEFT + Math.max(1, lines.length) * COL, height = TOP + 20 + rows.length * ROW;
  const heads = lines.map((a, i) => `<g class="lifeline"><text x="${LEFT + i * COL}" y="20" text-anchor="middle">${esc(a.length > 24 ? `…${a.slice(-23)}` : a)}</text><line x1="${LEFT + i * COL}" y1="${TOP - 10}" x2="${LEFT + i * COL}" y2="${height}"/></g>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`
    + '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
    + `${heads.join('')}${arrows.join('')}</svg>`;
}

/** The message view: filters, the diagram, and the payload of the message clicked. */
export class MessageView {
  readonly el: HTMLElement;
  readonly #diagram = h('div.diagram');
  readonly #payload = h('pre.payload');
  readonly #actors: HTMLInputElement;
  readonly #types: HTMLInputElement;
  #rows: MessageRow[] = [];
  #selected: number | undefined;
  #redraw = 0;
  /** The divergence's seq in a verified replay: that message is marked. */
  mark: number | undefined;

  constructor(readonly conn: Conn) {
    this.#actors = h<HTMLInputElement>('input.filter.actors', { type: 'search', value: 'controller.replicaset,apiserver', placeholder: 'actors (globs)' });
    this.#types = h<HTMLInputElement>('input.filter.types', { type: 'search', value: '', placeholder: 'types (api.*,reply)' });
    const apply = () => void this.load();
    this.#actors.addEventListener('change', apply);
    this.#types.addEventListener('change', apply);
    this.#diagram.addEventListener('click', (ev) => {
      const g = (ev.target as Element).closest('g.msg');
      if (g) void this.openPayload(Number(g.getAttribute('data-seq')));
    });
    this.el = h('div.view.message-view', {},
      h('header', {}, h('label', {}, 'Actors ', this.#actors), h('label', {}, 'Types ', this.#types), h('button', { onclick: apply }, 'Apply')),
      h('div.columns', {}, this.#diagram, h('section.payload-panel', {}, h('h3', {}, 'Payload'), this.#payload)));
  }

  /** Sets the filters (a link or the spec) and loads. */
  async filter(actors: string, types: string): Promise<void> {
    this.#actors.value = actors;
    this.#types.value = types;
    await this.load();
  }

  async load(): Promise<void> {
    const rows = await this.conn.call<MessageRow[]>({ op: 'messages', actors: this.#actors.value.trim(), types: this.#types.value.trim(), limit: SHOWN });
    this.#rows = rows;
    this.#draw();
    // A divergence opened: its message's payload (what the log expected) is shown at once.
    if (this.mark !== undefined && rows.some((r) => r.seq === this.mark)) await this.openPayload(this.mark);
  }

  /** Pushed rows. */
  add(rows: MessageRow[], reset = false): void {
    this.#rows = (reset ? rows : [...this.#rows, ...rows]).slice(-SHOWN);
    // Many pushes in a burst draw once.
    if (!this.#redraw) this.#redraw = requestAnimationFrame(() => ((this.#redraw = 0), this.#draw()));
  }

  #draw(): void {
    this.#diagram.innerHTML = sequenceSvg(this.#rows, this.#selected);
    if (this.mark !== undefined) this.#diagram.querySelector(`g.msg[data-seq="${this.mark}"]`)?.classList.add('diverged');
    this.#diagram.setAttribute('data-count', String(this.#rows.length));
  }

  async openPayload(seq: number): Promise<void> {
    this.#selected = seq;
    for (const g of this.#diagram.querySelectorAll('g.msg')) g.classList.toggle('selected', g.getAttribute('data-seq') === String(seq));
    const m = this.#rows.find((r) => r.seq === seq);
    try {
      const p = await this.conn.call<unknown>({ op: 'payload', seq });
      fill(this.#payload, m ? `#${seq} ${m.from} → ${m.to} ${m.type}\n\n` : '', json(p));
    } catch (err) {
      fill(this.#payload, (err as Error).message);
    }
  }
}
