/**
 * Label selectors compiled to a predicate. Matching runs once per existing pod for spread
 * and pod affinity (50,000 times per cycle in a big cluster), so the common case — only
 * equality requirements, i.e. matchLabels — skips the generic matcher.
 */
import { matchesLabels, type Requirement } from '../../../../api/selectors/labels.ts';

export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

const cache = new WeakMap<readonly Requirement[], LabelMatcher>();

/** The same answer as matchesLabels(selector, labels), faster when all requirements are `=`. */
export function compileMatcher(selector: readonly Requirement[]): LabelMatcher {
  let m = cache.get(selector);
  if (m) return m;
  const equalities = selector.every((r) => (r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1);
  if (equalities) {
    const keys = selector.map((r) => r.key);
    const values = selector.map((r) => r.values[0] as string);
    m = (labels) => {
      if (!labels) return keys.length === 0;
      for (let i = 0; i < keys.length; i++) if (labels[keys[i] as string] !== values[i]) return false;
      return true;
    };
  } else {
    const reqs = selector as Requirement[];
    m = (labels) => matchesLabels(reqs, labels);
  }
  cache.set(selector, m);
  return m;
}
