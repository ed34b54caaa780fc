import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { allStates, type ChartDef, type ChartState, type ChartTransition } from './model.ts';

/**
 * The chart as an elkjs graph: a node per state (compound for nested and parallel states),
 * a small node for each compound state's initial marker, and an edge per transition target,
 * labelled `EVENT [guard]`. Text is measured without a DOM: the SVG draws it in a monospace
 * font, so a character is `CHAR_W` wide.
 *
 * Transitions without a target (actions only) and those from a state into one of its own
 * descendants are not edges: they are listed as rows in the state's header (ELK's layered
 * algorithm cannot route an edge from a compound node into itself).
 */

export const FONT_SIZE = 11;
/** Width of one character of an 11px monospace font (0.6 em), rounded up. */
export const CHAR_W = 7;
export const LINE_H = 15;
const PAD = 8;

export const stateNodeId = (id: string): string => `s:${id}`;
export const initialNodeId = (id: string): string => `i:${id}`;

/** A transition shown as a row inside its state instead of as an edge. */
export interface Row {
  text: string;
  transition: ChartTransition;
}

/** What the renderer needs besides ELK's positions: each state's header rows, each edge's transition. */
export interface ChartGraph {
  elk: ElkNode;
  rows: Map<string, Row[]>;
  edges: Map<string, { source: string; target: string; transition: ChartTransition }>;
}

export const textWidth = (s: string): number => s.length * CHAR_W;

/** Ancestors of each state, nearest first. */
function parents(def: ChartDef): Map<string, string | undefined> {
  const up = new Map<string, string | undefined>();
  const walk = (s: ChartState, parent: string | undefined): void => {
    up.set(s.id, parent);
    for (const c of s.states) walk(c, s.id);
  };
  walk(def.root, undefined);
  return up;
}

function ancestry(up: Map<string, string | undefined>, id: string): string[] {
  const out: string[] = [];
  for (let x: string | undefined = id; x !== undefined; x = up.get(x)) out.push(x);
  return out;
}

/** The row text of a header transition: `EVENT [guard]`, and `→ child` when it targets a descendant. */
function rowText(t: ChartTransition, inner: readonly string[], byId: Map<string, ChartState>): string {
  return inner.length === 0 ? t.label : `${t.label} → ${inner.map((x) => byId.get(x)?.key ?? x).join(', ')}`;
}

export function buildGraph(def: ChartDef): ChartGraph {
  const up = parents(def);
  const byId = new Map(allStates(def.root).map((s) => [s.id, s]));
  const rows = new Map<string, Row[]>();
  const edges = new Map<string, { source: string; target: string; transition: ChartTransition }>();
  /** Edges by the state whose ELK node holds them (the nearest common container of both ends). */
  const held = new Map<string | undefined, ElkExtendedEdge[]>();
  let n = 0;
  for (const s of byId.values()) {
    const own: Row[] = [];
    for (const t of s.transitions) {
      const inner = t.targets.filter((x) => x !== s.id && ancestry(up, x).includes(s.id));
      const outer = t.targets.filter((x) => !inner.includes(x) && byId.has(x));
      if (t.targets.length === 0 || inner.length > 0) own.push({ text: rowText(t, inner, byId), transition: t });
      for (const target of outer) {
        const id = `e${n++}`;
        edges.set(id, { source: s.id, target, transition: t });
        const container = commonContainer(up, s.id, target);
        const list = held.get(container) ?? [];
        list.push(edge(id, stateNodeId(s.id), stateNodeId(target), t.label));
        held.set(container, list);
      }
    }
    rows.set(s.id, own);
  }
  for (const s of byId.values()) {
    if (s.initial === undefined) continue;
    const id = `e${n++}`;
    const list = held.get(s.id) ?? [];
    list.push({ id, sources: [initialNodeId(s.id)], targets: [stateNodeId(s.initial)] } as ElkExtendedEdge);
    held.set(s.id, list);
  }
  const elk: ElkNode = {
    id: 'chart',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.spacing.nodeNode': '30',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.inline': 'false',
    },
    children: [nodeOf(def.root, rows, held)],
    edges: held.get(undefined) ?? [],
  };
  return { elk, rows, edges };
}

function edge(id: string, source: string, target: string, label: string): ElkExtendedEdge {
  return { id, sources: [source], targets: [target], labels: [{ id: `${id}:l`, text: label, width: textWidth(label) + 4, height: LINE_H }] } as ElkExtendedEdge;
}

/**
 * The ELK node that holds an edge: the nearest state that contains both ends, not being
 * either end (a self-loop or an edge out to an ancestor's sibling lives in its parent).
 */
function commonContainer(up: Map<string, string | undefined>, a: string, b: string): string | undefined {
  const ofB = new Set(ancestry(up, b));
  for (const x of ancestry(up, a)) if (ofB.has(x) && x !== a && x !== b) return x;
  const x = ancestry(up, a).find((y) => ofB.has(y));
  return x === undefined ? undefined : up.get(x);
}

/** Header height: the name line, then one line per row. */
export const headerHeight = (rows: number): number => PAD + LINE_H * (1 + rows) + 4;

/** A state's title line: its key, marked when parallel or final. */
export const stateTitle = (s: ChartState): string => s.key + (s.type === 'parallel' ? ' ‖' : '') + (s.type === 'final' ? ' (final)' : '');

function headerWidth(s: ChartState, rows: readonly Row[]): number {
  const lines = [stateTitle(s), ...rows.map((r) => r.text), ...s.invoke.map((i) => `invoke ${i}`)];
  return Math.max(...lines.map(textWidth)) + 2 * PAD;
}

function nodeOf(s: ChartState, rows: Map<string, Row[]>, held: Map<string | undefined, ElkExtendedEdge[]>): ElkNode {
  const own = rows.get(s.id) ?? [];
  const header = headerHeight(own.length + s.invoke.length);
  const width = headerWidth(s, own);
  if (s.states.length === 0) return { id: stateNodeId(s.id), width: Math.max(width, 60), height: header + PAD };
  const children = s.states.map((c) => nodeOf(c, rows, held));
  if (s.initial !== undefined) children.unshift({ id: initialNodeId(s.id), width: 10, height: 10 });
  return {
    id: stateNodeId(s.id),
    layoutOptions: {
      'elk.padding': `[top=${header + 6},left=${PAD * 2},bottom=${PAD * 2},right=${PAD * 2}]`,
      'elk.nodeSize.constraints': 'MINIMUM_SIZE',
      'elk.nodeSize.minimum': `(${width},${header + 20})`,
      // Parallel regions side by side, as XState's visualizer shows them.
      ...(s.type === 'parallel' ? { 'elk.direction': 'RIGHT' } : {}),
    },
    children,
    edges: held.get(s.id) ?? [],
  };
}
