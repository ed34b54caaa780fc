import ElkBundled from 'elkjs/lib/elk.bundled.js';
import type { ELK, ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk-api.js';
import { buildGraph, initialNodeId, stateNodeId, type Row } from './graph.ts';
import { allStates, type ChartDef, type ChartState, type ChartTransition } from './model.ts';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One state placed: its box (absolute), its depth (root 0) and its header rows. */
export interface PlacedState extends Box {
  state: ChartState;
  depth: number;
  rows: Row[];
  /** The parent's type: a child of a parallel state is a region. */
  parentType?: ChartState['type'];
}

export interface PlacedEdge {
  id: string;
  source: string;
  target: string;
  transition: ChartTransition;
  points: ElkPoint[];
  label?: Box;
}

/** A laid-out chart in absolute coordinates: what `renderSvg` draws. */
export interface ChartLayout {
  def: ChartDef;
  width: number;
  height: number;
  states: PlacedState[];
  /** Initial-state markers (a dot per compound state with an initial child). */
  initials: Box[];
  /** Edges from initial markers, `source` being the compound state's id. */
  initialEdges: { source: string; points: ElkPoint[] }[];
  edges: PlacedEdge[];
}

// elk.bundled.js is CommonJS (`module.exports = ELK`): under NodeNext its default import is typed as the module.
const ElkCtor = ElkBundled as unknown as new () => ELK;
let elk: ELK | undefined;

/** Lays a chart out with elkjs's layered algorithm (one ELK instance, created on first use). */
export async function layoutChart(def: ChartDef): Promise<ChartLayout> {
  const g = buildGraph(def);
  elk ??= new ElkCtor();
  const out = await elk.layout(g.elk);
  const nodes = new Map<string, ElkNode>();
  const elkEdges: ElkExtendedEdge[] = [];
  const walk = (n: ElkNode): void => {
    nodes.set(n.id, n);
    for (const e of n.edges ?? []) elkEdges.push(e as ElkExtendedEdge);
    for (const c of n.children ?? []) walk(c);
  };
  walk(out);
  const box = (n: ElkNode | undefined): Box => ({ x: n?.x ?? 0, y: n?.y ?? 0, width: n?.width ?? 0, height: n?.height ?? 0 });
  const states: PlacedState[] = [];
  const place = (s: ChartState, depth: number, parentType?: ChartState['type']): void => {
    states.push({ ...box(nodes.get(stateNodeId(s.id))), state: s, depth, rows: g.rows.get(s.id) ?? [], ...(parentType ? { parentType } : {}) });
    for (const c of s.states) place(c, depth + 1, s.type);
  };
  place(def.root, 0);
  const initials = allStates(def.root).flatMap((s) => (s.initial === undefined ? [] : [box(nodes.get(initialNodeId(s.id)))]));
  const edges: PlacedEdge[] = [];
  const initialEdges: ChartLayout['initialEdges'] = [];
  for (const e of elkEdges) {
    const points = (e.sections ?? []).flatMap((sec) => [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint]);
    const meta = g.edges.get(e.id);
    if (meta === undefined) {
      initialEdges.push({ source: (e.sources[0] ?? '').slice(2), points });
      continue;
    }
    const l = e.labels?.[0];
    edges.push({ id: e.id, ...meta, points, ...(l ? { label: box(l as ElkNode) } : {}) });
  }
  return { def, width: out.width ?? 0, height: out.height ?? 0, states, initials, initialEdges, edges };
}

/** A cheap fingerprint of a chart's content (FNV-1a over its JSON): two machines with one id but different states do not share a layout. */
export function fingerprint(def: ChartDef): string {
  const s = JSON.stringify(def.root);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return `${def.id}:${s.length}:${(h >>> 0).toString(16)}`;
}

/**
 * Layouts cached per machine: a chart is laid out once however many actors run it (every
 * controller shares `reconcile`, every pod `pod`) and however often its highlight changes.
 * The promise is cached, so concurrent requests share one layout run.
 */
export class LayoutCache {
  readonly #byKey = new Map<string, Promise<ChartLayout>>();

  get(def: ChartDef): Promise<ChartLayout> {
    const key = fingerprint(def);
    let p = this.#byKey.get(key);
    if (p === undefined) {
      p = layoutChart(def);
      this.#byKey.set(key, p);
      // A failed layout is not kept: the next request tries again.
      p.catch(() => this.#byKey.delete(key));
    }
    return p;
  }

  get size(): number {
    return this.#byKey.size;
  }
}
