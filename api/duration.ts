/**
 * Go duration strings, as Kubernetes' duration flags and config fields take them
 * (`--request-timeout=1m30s`, `--node-monitor-grace-period=50s`): Go's time.ParseDuration
 * grammar, `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or a bare "0".
 */

/** Each unit in milliseconds; µ is accepted as the micro sign (U+00B5) and as the Greek mu (U+03BC), as Go does. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** The longest duration Go represents (2^63-1 ns), in ms. */
const MAX_MS = 9_223_372_036_854.775;

/** One number-and-unit term: digits with an optional fraction (".5", "1.", "1.5"), then the unit's letters. */
const TERM = /(\d*)(?:\.(\d*))?([^\d.]*)/y;

/**
 * Parses a Go duration into milliseconds (negative when it starts with "-"), or null when
 * `s` is not one: no unit ("5"), an unknown unit ("5d"), no digits (".s"), or beyond
 * what a Go Duration holds.
 */
export function parseGoDuration(s: string): number | null {
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return null;
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < rest.length) {
    const m = TERM.exec(rest);
    if (!m || m[0] === '') return null;
    const [, whole = '', fraction, unit = ''] = m;
    if (whole === '' && !fraction) return null;
    const perUnit = UNIT_MS[unit];
    if (perUnit === undefined) return null;
    total += Number(`${whole || '0'}.${fraction ?? '0'}`) * perUnit;
  }
  if (total > MAX_MS) return null;
  return sign * total;
}

/**
 * Go's Duration.String for a whole number of milliseconds: "15s", "20.064s", "1m0s", "1h2m3s",
 * "500ms", "0s" — what metav1.Duration fields (a PodMetrics' `window`) carry on the wire.
 */
export function formatGoDuration(ms: number): string {
  const total = Math.round(Math.abs(ms));
  const sign = ms < 0 && total > 0 ? '-' : '';
  if (total === 0) return '0s';
  if (total < 1000) return `${sign}${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const sMs = total % 60_000;
  const secs = sMs % 1000 === 0 ? String(sMs / 1000) : (sMs / 1000).toFixed(3).replace(/0+$/, '');
  if (h) return `${sign}${h}h${m}m${secs}s`;
  if (m) return `${sign}${m}m${secs}s`;
  return `${sign}${secs}s`;
}
