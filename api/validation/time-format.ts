/**
 * Go's time.Parse of metav1.Time (layout RFC 3339) and metav1.MicroTime (RFC 3339 with
 * exactly six fractional digits), reduced to its error: the message the apiserver answers
 * when a timestamp field does not parse, e.g.
 * `parsing time "2024-13-01T00:00:00Z": month out of range` or
 * `parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"`.
 */

const RFC3339 = '2006-01-02T15:04:05Z07:00';
const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';

/** A layout element: the literal before it, its name in the layout, and how many characters it takes (null: bad value). */
interface Element {
  prefix: string;
  std: string;
  take(v: string): { n: number; range?: string } | null;
}

const digits = (v: string, n: number): boolean => v.length >= n && /^\d+$/.test(v.slice(0, n));

/** Two digits in [lo, hi]; `loose` also takes one digit, as Go's stdHour does. */
const num = (lo: number, hi: number, name: string, loose = false) => (v: string) => {
  const n = digits(v, 2) ? 2 : loose && digits(v, 1) ? 1 : 0;
  if (n === 0) return null;
  const x = Number(v.slice(0, n));
  return x < lo || x > hi ? { n, range: name } : { n };
};

const seconds = (micro: boolean) => (v: string) => {
  const r = num(0, 59, 'second')(v);
  if (!r || r.range || micro) return r;
  // A fraction the layout does not name is still accepted after the seconds.
  const frac = /^[.,]\d+/.exec(v.slice(2));
  return { n: 2 + (frac ? frac[0].length : 0) };
};

const zone = (v: string) => {
  if (v.startsWith('Z')) return { n: 1 };
  if (v.length < 6 || v[3] !== ':' || (v[0] !== '+' && v[0] !== '-') || !digits(v.slice(1), 2) || !digits(v.slice(4), 2)) return null;
  if (Number(v.slice(1, 3)) > 24) return { n: 6, range: 'time zone offset hour' };
  if (Number(v.slice(4, 6)) > 60) return { n: 6, range: 'time zone offset minute' };
  return { n: 6 };
};

function elements(micro: boolean): Element[] {
  const els: Element[] = [
    { prefix: '', std: '2006', take: (v) => (digits(v, 4) ? { n: 4 } : null) },
    { prefix: '-', std: '01', take: num(1, 12, 'month') },
    { prefix: '-', std: '02', take: num(1, 31, 'day') },
    { prefix: 'T', std: '15', take: num(0, 23, 'hour', true) },
    { prefix: ':', std: '04', take: num(0, 59, 'minute') },
    { prefix: ':', std: '05', take: seconds(micro) },
  ];
  if (micro) els.push({ prefix: '', std: '.000000', take: (v) => (/^[.,]\d{6}/.test(v) ? { n: 7 } : null) });
  els.push({ prefix: '', std: 'Z07:00', take: zone });
  return els;
}

const daysIn = (month: number, year: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

// The shape every well-formed timestamp has (what Kubernetes and its clients write): checked
// with one regular expression, so only a value that fails it walks the layout for Go's message.
const PLAIN = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:Z|[+-](\d\d):(\d\d))$/;
const MICRO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.\d{6}(?:Z|[+-](\d\d):(\d\d))$/;

/**
 * The last timestamp of each layout found valid: the objects a cluster writes carry the times
 * of the current second, again and again (an Event's three, a pod's conditions), and a string
 * compare is a fraction of the match.
 */
const lastValid = { plain: '1970-01-01T00:00:00Z', micro: '1970-01-01T00:00:00.000000Z' };

function plainlyValid(value: string, micro: boolean): boolean {
  if (value === (micro ? lastValid.micro : lastValid.plain)) return true;
  const m = (micro ? MICRO : PLAIN).exec(value);
  if (!m) return false;
  const [, year, month, day, hour, minute, second, zh, zm] = m.map(Number) as number[];
  const valid =
    month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysIn(month!, year!) &&
    hour! <= 23 && minute! <= 59 && second! <= 59 && (m[7] === undefined || (zh! <= 24 && zm! <= 60));
  if (valid) lastValid[micro ? 'micro' : 'plain'] = value;
  return valid;
}

/** Go's error for parsing `value` as a metav1.Time (or MicroTime), or null when it parses. */
export function parseTimeError(value: string, micro = false): string | null {
  if (plainlyValid(value, micro)) return null;
  const layout = micro ? RFC3339_MICRO : RFC3339;
  const q = JSON.stringify;
  const cannot = (rest: string, elem: string) => `parsing time ${q(value)} as ${q(layout)}: cannot parse ${q(rest)} as ${q(elem)}`;
  let rest = value;
  const parts: string[] = [];
  for (const el of elements(micro)) {
    if (!rest.startsWith(el.prefix)) return cannot(rest, el.prefix);
    rest = rest.slice(el.prefix.length);
    const r = el.take(rest);
    if (!r) return cannot(rest, el.std);
    if (r.range) return `parsing time ${q(value)}: ${r.range} out of range`;
    parts.push(rest.slice(0, r.n));
    rest = rest.slice(r.n);
  }
  if (rest) return `parsing time ${q(value)}: extra text: ${q(rest)}`;
  const [year, month, day] = parts.map(Number) as [number, number, number];
  return day > daysIn(month, year) ? `parsing time ${q(value)}: day out of range` : null;
}
