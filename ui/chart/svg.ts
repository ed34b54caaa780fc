import { FONT_SIZE, LINE_H, stateTitle } from './graph.ts';
import type { ChartLayout, PlacedState } from './layout.ts';

/** The class an active state's group carries; `setActive` moves it without a new layout. */
export const ACTIVE_CLASS = 'active';

/** Default look; a page may override any of it (every element has a class). */
export const CHART_CSS = `
.kchart { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: ${FONT_SIZE}px; }
.kchart .state > rect { fill: #fff; stroke: #8a8f98; stroke-width: 1; }
.kchart .state.region > rect { fill: none; stroke-dasharray: 4 3; }
.kchart .state.final > rect { stroke-width: 3; stroke-opacity: .6; }
.kchart .state.active > rect { stroke: #2563eb; stroke-width: 2; }
.kchart .state.atomic.active > rect, .kchart .state.final.active > rect { fill: #dbe8ff; }
.kchart .state.root > rect { fill: #fafafa; }
.kchart .state-name { font-weight: 600; fill: #111; }
.kchart .state.active > .state-name { fill: #1d4ed8; }
.kchart .state-row { fill: #555; }
.kchart .edge path { fill: none; stroke: #6b7280; stroke-width: 1.2; }
.kchart .edge.from-active path { stroke: #2563eb; }
.kchart .edge text { fill: #333; }
.kchart .edge .label-bg { fill: #fff; fill-opacity: .85; }
.kchart .initial { fill: #111; }
.kchart .initial-edge { fill: none; stroke: #111; stroke-width: 1; }
.kchart marker path { fill: context-stroke; stroke: none; }
`;

/** Text for SVG/XML: `&`, `<`, `>` and quotes escaped. */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const f = (n: number): string => String(Math.round(n * 10) / 10);
const path = (pts: readonly { x: number; y: number }[]): string => pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(p.x)} ${f(p.y)}`).join(' ');

function stateClass(p: PlacedState, active: ReadonlySet<string>): string {
  const c = ['state', p.state.type];
  if (p.depth === 0) c.push('root');
  if (p.parentType === 'parallel') c.push('region');
  if (active.has(p.state.id)) c.push(ACTIVE_CLASS);
  return c.join(' ');
}

function stateSvg(p: PlacedState, active: ReadonlySet<string>): string {
  const s = p.state;
  const x = p.x + 8;
  let y = p.y + 8 + LINE_H - 4;
  const lines = [`<text class="state-name" x="${f(x)}" y="${f(y)}">${esc(stateTitle(s))}</text>`];
  for (const r of p.rows) {
    y += LINE_H;
    lines.push(`<text class="state-row" data-event="${esc(r.transition.event)}" x="${f(x)}" y="${f(y)}">${esc(r.text)}</text>`);
  }
  for (const i of s.invoke) {
    y += LINE_H;
    lines.push(`<text class="state-row invoke" x="${f(x)}" y="${f(y)}">invoke ${esc(i)}</text>`);
  }
  const rx = p.parentType === 'parallel' ? 2 : 6;
  return (
    `<g class="${stateClass(p, active)}" data-state="${esc(s.id)}"><title>${esc(s.id)}</title>` +
    `<rect x="${f(p.x)}" y="${f(p.y)}" width="${f(p.width)}" height="${f(p.height)}" rx="${rx}"/>${lines.join('')}</g>`
  );
}

/**
 * The chart as a standalone SVG document string. Each state is a `<g class="state …"
 * data-state="ID">` (its name and its action-only transitions as rows), each transition a
 * `<g class="edge" data-source data-target data-event>` with its `EVENT [guard]` label.
 * States in `active` (and edges leaving them) carry the `active` / `from-active` class; to
 * follow a live actor, call `setActive` on the mounted SVG rather than rendering again.
 */
export function renderSvg(layout: ChartLayout, active: Iterable<string> = []): string {
  const on = new Set(active);
  const id = esc(layout.def.id);
  const marker = `kchart-arrow-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="kchart" data-machine="${id}" width="${f(layout.width)}" height="${f(layout.height)}" viewBox="0 0 ${f(layout.width)} ${f(layout.height)}">`,
    `<style>${CHART_CSS}</style>`,
    `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z"/></marker></defs>`,
  );
  // Parents before children, so a nested state is drawn over its parent.
  for (const p of [...layout.states].sort((a, b) => a.depth - b.depth)) parts.push(stateSvg(p, on));
  for (const b of layout.initials) parts.push(`<circle class="initial" cx="${f(b.x + b.width / 2)}" cy="${f(b.y + b.height / 2)}" r="${f(b.width / 2)}"/>`);
  for (const e of layout.initialEdges) parts.push(`<path class="initial-edge" d="${path(e.points)}" marker-end="url(#${marker})"/>`);
  for (const e of layout.edges) {
    const t = e.transition;
    const cls = on.has(e.source) ? 'edge from-active' : 'edge';
    let label = '';
    if (e.label) {
      const l = e.label;
      label = `<rect class="label-bg" x="${f(l.x)}" y="${f(l.y)}" width="${f(l.width)}" height="${f(l.height)}"/><text x="${f(l.x + 2)}" y="${f(l.y + l.height - 4)}">${esc(t.label)}</text>`;
    }
    parts.push(
      `<g class="${cls}" data-source="${esc(e.source)}" data-target="${esc(e.target)}" data-event="${esc(t.event)}"><path d="${path(e.points)}" marker-end="url(#${marker})"/>${label}</g>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** The structural slice of a DOM element `setActive` uses (no DOM types in this package). */
export interface ChartElement {
  getAttribute(name: string): string | null;
  classList: { toggle(token: string, force?: boolean): boolean };
}

/** The structural slice of a mounted SVG (or any DOM root holding it). */
export interface ChartRoot {
  querySelectorAll(selector: string): Iterable<ChartElement> | ArrayLike<ChartElement>;
}

/**
 * Moves the highlight of a mounted chart to `active` state ids (from `activeStateIds`):
 * toggles `active` on states and `from-active` on the edges leaving them. No re-layout.
 */
export function setActive(root: ChartRoot, active: Iterable<string>): void {
  const on = new Set(active);
  for (const el of Array.from(root.querySelectorAll('g[data-state]'))) el.classList.toggle(ACTIVE_CLASS, on.has(el.getAttribute('data-state') ?? ''));
  for (const el of Array.from(root.querySelectorAll('g.edge[data-source]'))) el.classList.toggle('from-active', on.has(el.getAttribute('data-source') ?? ''));
}
