/**
 * Kubernetes' version priority (apimachinery's version.CompareKubeAwareVersionStrings): GA
 * before beta before alpha, higher numbers first, then anything else alphabetically. The
 * first served version in this order is the group's preferred version in discovery.
 */

const KUBE = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

function rank(v: string): [number, number, number] | null {
  const m = KUBE.exec(v);
  if (!m) return null;
  const stage = m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0;
  return [stage, Number(m[1]), m[3] === undefined ? 0 : Number(m[3])];
}

/** Negative when `a` comes first. */
export function compareKubeVersions(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra && !rb) return -1;
  if (!ra && rb) return 1;
  if (!ra || !rb) return a < b ? -1 : a > b ? 1 : 0;
  if (ra[0] !== rb[0]) return rb[0] - ra[0];
  if (ra[1] !== rb[1]) return rb[1] - ra[1];
  return rb[2] - ra[2];
}

/** The versions in priority order (a new array). */
export function preferredVersionOrder(versions: readonly string[]): string[] {
  return [...versions].sort(compareKubeVersions);
}
