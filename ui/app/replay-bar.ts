import type { Hello } from '../../actors/ui/protocol.ts';
import type { ReplayPosition, UiDivergence } from '../../actors/ui/source.ts';
import type { Conn } from './conn.ts';
import { clock, fill, h, json } from './dom.ts';

/** The timeline scrubber of a replay: step ±1, jump to a seq or a time, play at a speed; and `--verify`'s divergences. */
export class ReplayBar {
  readonly el: HTMLElement;
  readonly #slider: HTMLInputElement;
  readonly #seq: HTMLInputElement;
  readonly #time: HTMLInputElement;
  readonly #speed: HTMLSelectElement;
  readonly #where = h('span.where');
  readonly #divergences = h('div.divergences');
  #pos: ReplayPosition;

  constructor(readonly conn: Conn, hello: Hello, readonly onDivergence: (d: UiDivergence) => void) {
    const r = hello.range!;
    this.#pos = hello.position!;
    this.#slider = h<HTMLInputElement>('input.scrubber', { type: 'range', min: r.first, max: r.last, value: this.#pos.seq });
    this.#slider.addEventListener('change', () => void this.seek({ seq: Number(this.#slider.value) }));
    this.#seq = h<HTMLInputElement>('input.seq', { type: 'number', min: r.first, max: r.last, value: this.#pos.seq });
    this.#time = h<HTMLInputElement>('input.time', { type: 'text', placeholder: 'HH:MM:SS.mmm', size: 12 });
    this.#speed = h<HTMLSelectElement>('select.speed', {}, ...['0.5', '1', '2', '10', '100'].map((s) => h('option', { value: s, ...(s === '1' ? { selected: true } : {}) }, `${s}×`)));
    const day = new Date(r.firstAt).toISOString().slice(0, 11);
    this.el = h('div.replay-bar', {},
      h('button.back', { title: 'step back one entry', onclick: () => void this.step(-1) }, '◀ 1'),
      h('button.fwd', { title: 'step forward one entry', onclick: () => void this.step(1) }, '1 ▶'),
      this.#slider,
      h('label', {}, 'seq ', this.#seq), h('button.go', { onclick: () => void this.seek({ seq: Number(this.#seq.value) }) }, 'go'),
      h('label', {}, 'time ', this.#time), h('button.go-time', { onclick: () => void this.seek({ at: Date.parse(`${day}${this.#time.value}Z`) }) }, 'go'),
      this.#speed, h('button.play', { onclick: () => void this.conn.call({ op: 'play', speed: Number(this.#speed.value) }) }, '▶ play'),
      h('button.pause', { onclick: () => void this.conn.call({ op: 'pause' }) }, '❚❚'),
      this.#where, this.#divergences);
    this.position(this.#pos);
    this.divergences(hello.divergences);
  }

  async seek(to: { seq: number } | { at: number }): Promise<void> {
    this.position(await this.conn.call<ReplayPosition>({ op: 'seek', ...to }));
  }

  async step(delta: number): Promise<void> {
    this.position(await this.conn.call<ReplayPosition>({ op: 'step', delta }));
  }

  position(p: ReplayPosition): void {
    this.#pos = p;
    this.#slider.value = String(p.seq);
    this.#seq.value = String(p.seq);
    this.el.setAttribute('data-seq', String(p.seq));
    fill(this.#where, `after seq ${p.seq} · ${clock(p.at)}${p.playing ? ` · playing ${p.playing}×` : ''}`);
  }

  divergences(ds: UiDivergence[] | undefined): void {
    if (ds === undefined) return;
    if (ds.length === 0) return fill(this.#divergences, h('span.badge.ok', {}, 'verified: no divergence'));
    fill(this.#divergences, ...ds.map((d) => h('div.divergence', { 'data-seq': d.seq, 'data-actor': d.actor, onclick: () => this.onDivergence(d) },
      h('b', {}, `divergence at seq ${d.seq}, actor ${d.actor}`), `: ${d.message}`, d.path ? h('div', {}, `at ${d.path}`) : null,
      h('div.expected', {}, `- expected: ${json(d.expected)}`), h('div.actual', {}, `+ actual:   ${json(d.actual)}`))));
  }
}
