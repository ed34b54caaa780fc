import { h } from './dom.ts';

/**
 * A list that draws only the rows in view: a spacer as tall as all rows, the visible ones
 * placed absolutely. Rows come from the server by window (`fetch(offset, limit)`), so
 * 5,000 nodes cost the tab a screenful of rows.
 */
export class VirtualList<R> {
  readonly el: HTMLDivElement;
  readonly #spacer: HTMLDivElement;
  readonly #rows: HTMLDivElement;
  #total = 0;
  #offset = 0;
  #data: R[] = [];
  #asked = '';

  constructor(readonly rowHeight: number, readonly render: (r: R) => HTMLElement, readonly fetch: (offset: number, limit: number) => void, cls = '') {
    this.#spacer = h<HTMLDivElement>('div.vl-spacer');
    this.#rows = h<HTMLDivElement>('div.vl-rows');
    this.el = h<HTMLDivElement>(`div.vlist${cls ? `.${cls}` : ''}`, {}, this.#spacer, this.#rows);
    this.el.addEventListener('scroll', () => this.#ask());
  }

  /** The window the list needs now: a screenful from the scroll position, plus a margin. */
  range(): { offset: number; limit: number } {
    const first = Math.max(0, Math.floor(this.el.scrollTop / this.rowHeight) - 10);
    const count = Math.ceil((this.el.clientHeight || 600) / this.rowHeight) + 20;
    return { offset: first, limit: count };
  }

  #ask(): void {
    const { offset, limit } = this.range();
    const key = `${offset}:${limit}`;
    if (key === this.#asked) return;
    this.#asked = key;
    this.fetch(offset, limit);
  }

  refresh(): void {
    this.#asked = '';
    this.#ask();
  }

  /** Shows a window the server sent. */
  show(w: { total: number; offset: number; rows: R[] }): void {
    this.#total = w.total;
    this.#offset = w.offset;
    this.#data = w.rows;
    this.#spacer.style.height = `${this.#total * this.rowHeight}px`;
    this.#rows.style.transform = `translateY(${this.#offset * this.rowHeight}px)`;
    this.#rows.replaceChildren(...this.#data.map((r) => {
      const el = this.render(r);
      el.style.height = `${this.rowHeight}px`;
      return el;
    }));
  }
}
