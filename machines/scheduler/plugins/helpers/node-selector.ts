/**
 * Node selector terms (component-helpers/scheduling/corev1/nodeaffinity): terms are ORed,
 * the expressions and fields inside a term ANDed. A term with nothing in it, or with an
 * invalid requirement, matches no node.
 */
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from 'kubernetes-types/core/v1.js';
import { matchesLabels, type LabelOperator, type Requirement } from '../../../../api/selectors/labels.ts';
import { compileMatcher } from './matcher.ts';

/** A compiled term: `undefined` when it can never match. */
export interface CompiledTerm {
  labels: Requirement[];
  /** Required values of metadata.name (In) and forbidden ones (NotIn). */
  nameIn: string[] | undefined;
  nameNotIn: string[] | undefined;
}

const OPS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!', Gt: 'gt', Lt: 'lt' };

function requirement(r: NodeSelectorRequirement): Requirement | undefined {
  const operator = OPS[r.operator];
  const values = r.values ?? [];
  if (!operator) return undefined;
  if ((operator === 'in' || operator === 'notin') && values.length === 0) return undefined;
  if ((operator === 'exists' || operator === '!') && values.length > 0) return undefined;
  if ((operator === 'gt' || operator === 'lt') && (values.length !== 1 || !/^[+-]?\d+$/.test(values[0] ?? ''))) return undefined;
  return { key: r.key, operator, values };
}

export function compileTerm(term: NodeSelectorTerm): CompiledTerm | undefined {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return undefined;
  const labels: Requirement[] = [];
  for (const e of exprs) {
    const r = requirement(e);
    if (!r) return undefined;
    labels.push(r);
  }
  const out: CompiledTerm = { labels, nameIn: undefined, nameNotIn: undefined };
  for (const f of fields) {
    // Only metadata.name is a supported field, with In/NotIn and exactly one value.
    if (f.key !== 'metadata.name' || (f.values ?? []).length !== 1) return undefined;
    if (f.operator === 'In') out.nameIn = [...(out.nameIn ?? []), ...(f.values ?? [])];
    else if (f.operator === 'NotIn') out.nameNotIn = [...(out.nameNotIn ?? []), ...(f.values ?? [])];
    else return undefined;
  }
  return out;
}

export function termMatches(t: CompiledTerm, node: Node): boolean {
  const name = node.metadata?.name ?? '';
  if (t.nameIn && !t.nameIn.every((v) => v === name)) return false;
  if (t.nameNotIn?.includes(name)) return false;
  return matchesLabels(t.labels, node.metadata?.labels);
}

/**
 * RequiredNodeAffinity: spec.nodeSelector (every label equal) and the required node
 * affinity terms (any term). `undefined` means the pod constrains nothing.
 */
export interface RequiredNodeAffinity {
  selector: Requirement[];
  /** undefined: no required affinity; []: affinity with no valid term (matches nothing). */
  terms: Array<CompiledTerm | undefined> | undefined;
}

export function requiredNodeAffinity(pod: Pod): RequiredNodeAffinity | undefined {
  const sel = pod.spec?.nodeSelector;
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if ((!sel || Object.keys(sel).length === 0) && !req) return undefined;
  return {
    selector: Object.entries(sel ?? {}).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })),
    terms: req ? req.nodeSelectorTerms.map(compileTerm) : undefined,
  };
}

export function matchesRequired(r: RequiredNodeAffinity | undefined, node: Node): boolean {
  if (!r) return true;
  if (!compileMatcher(r.selector)(node.metadata?.labels)) return false;
  if (!r.terms) return true;
  return r.terms.some((t) => t !== undefined && termMatches(t, node));
}

/**
 * The node names the required terms pin the pod to (matchFields metadata.name In), or
 * undefined when some term allows any node. ANDed within a term, ORed across terms.
 */
export function nodeNamesOf(pod: Pod): Set<string> | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return undefined;
  const out = new Set<string>();
  for (const t of terms) {
    let names: Set<string> | undefined;
    for (const f of t.matchFields ?? []) {
      if (f.key !== 'metadata.name' || f.operator !== 'In') continue;
      const vs = new Set(f.values ?? []);
      names = names ? new Set([...names].filter((n) => vs.has(n))) : vs;
    }
    if (!names) return undefined;
    for (const n of names) out.add(n);
  }
  return out;
}
