/**
 * State charts as SVG, for the web UI's actor view (browser) and its specs (node): pure
 * TypeScript on elkjs, no DOM and no node APIs.
 *
 *     const def = chartOf(machine);                       // server: a live machine → plain data
 *     const svg = await renderChart(def, snapshot.value); // anywhere: layout (cached) + SVG
 *     setActive(svgElement, activeStateIds(def, next.value)); // browser: move the highlight
 */
import { LayoutCache } from './layout.ts';
import { activeStateIds, type ChartDef } from './model.ts';
import { renderSvg } from './svg.ts';

export { activeStateIds, allStates, chartOf, definitionJson, guardName, type ChartDef, type ChartInput, type ChartState, type ChartTransition } from './model.ts';
export { fingerprint, layoutChart, LayoutCache, type ChartLayout, type PlacedEdge, type PlacedState } from './layout.ts';
export { ACTIVE_CLASS, CHART_CSS, renderSvg, setActive, type ChartElement, type ChartRoot } from './svg.ts';

/** The layouts of this page or process, one per machine. */
export const chartLayouts = new LayoutCache();

/** The SVG of a chart with the states active in snapshot `value` highlighted (layout from `cache`). */
export async function renderChart(def: ChartDef, value?: unknown, cache: LayoutCache = chartLayouts): Promise<string> {
  const layout = await cache.get(def);
  return renderSvg(layout, value === undefined ? [] : activeStateIds(def, value));
}
