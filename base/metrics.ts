/**
 * A Prometheus metrics registry: counters, gauges and histograms with labels, rendered in
 * the text exposition format 0.0.4 (HELP and TYPE lines, escaped label values, histograms as
 * cumulative `_bucket{le=…}` series ending in `+Inf`, then `_sum` and `_count`).
 *
 * One registry per cluster (the ActorHost holds it, every actor's context carries it, the
 * apiserver's front serves it on /metrics): never a module-global, since many clusters share
 * one process in specs and benches. Pure: no clock (callers pass durations they measured on
 * their injected clock), no I/O.
 *
 * Families are declared once by name: declaring one again (an actor restarting) returns the
 * same family, so counts survive restarts; declaring it with another type or label names throws.
 * A series is found by its rendered label key, so hot paths hold a `Series` (`with(...)`) and
 * pay one number addition per observation.
 */

/** Label values by label name (every declared name; missing ones render as ""). */
export type Labels = Readonly<Record<string, string>>;

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** A label value in the exposition format: quoted, with backslash, quote and newline escaped. */
export function quote(value: string): string {
  return /[\\"\n]/.test(value) ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"` : `"${value}"`;
}

/** HELP text escaping (backslash and newline; quotes stay). */
const escapeHelp = (help: string): string => help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value as Prometheus writes it (+Inf, -Inf, NaN spelled out). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** `count` buckets from `start`, each `factor` times the previous (client_golang's ExponentialBuckets). */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0, b = start; i < count; i++, b *= factor) out.push(Number(b.toPrecision(12)));
  return out;
}

/** One labelled series of a counter or gauge. */
export class Series {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
  set(v: number): void {
    this.value = v;
  }
}

/** One labelled series of a histogram: per-bucket counts (not cumulative until rendered), sum and count. */
export class HistogramSeries {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = new Array<number>(buckets.length).fill(0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    // Buckets are few (≤ 25): a linear scan beats a binary search's overhead here.
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }
}

abstract class Family<S> {
  /** Series by rendered label key (`a="x",b="y"`, names sorted). */
  readonly series = new Map<string, S>();
  /** Readers of values kept elsewhere, by owner. */
  readonly #collect = new Map<string, () => Iterable<[Labels, number]>>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    /** Label names, sorted as the exposition renders them. */
    readonly labelNames: readonly string[],
  ) {}

  /** The rendered label key of `labels` (every declared name, sorted; unknown names throw). */
  key(labels: Labels): string {
    for (const k of Object.keys(labels)) if (!this.labelNames.includes(k)) throw new Error(`metric ${this.name}: unknown label "${k}"`);
    return this.labelNames.map((n) => `${n}=${quote(labels[n] ?? '')}`).join(',');
  }

  /** The series for `labels`, created at zero on first use. */
  with(labels: Labels = {}): S {
    return this.withKey(this.key(labels));
  }

  /** The series for an already rendered key (the front renders request labels once per request). */
  withKey(key: string): S {
    let s = this.series.get(key);
    if (s === undefined) this.series.set(key, (s = this.create()));
    return s;
  }

  /**
   * Values read at scrape time instead of kept (a queue's length, objects stored), rendered
   * beside the kept series. One reader per `owner`: a restarted actor's replaces its former
   * incarnation's; `undefined` removes it.
   */
  collect(read: (() => Iterable<[Labels, number]>) | undefined, owner = ''): void {
    if (read === undefined) this.#collect.delete(owner);
    else this.#collect.set(owner, read);
  }

  protected abstract create(): S;
  protected abstract samples(key: string, s: S, out: string[]): void;

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`);
    const all = new Map<string, S | number>(this.series);
    for (const read of this.#collect.values()) for (const [labels, v] of read()) all.set(this.key(labels), v);
    // Sorted, so two scrapes compare line by line.
    for (const key of [...all.keys()].sort()) {
      const s = all.get(key)!;
      if (typeof s === 'number') out.push(`${this.name}${key ? `{${key}}` : ''} ${formatValue(s)}\n`);
      else this.samples(key, s, out);
    }
  }
}

export class Counter extends Family<Series> {
  protected create(): Series {
    return new Series();
  }
  protected samples(key: string, s: Series, out: string[]): void {
    out.push(`${this.name}${key ? `{${key}}` : ''} ${formatValue(s.value)}\n`);
  }
  inc(labels: Labels = {}, by = 1): void {
    this.with(labels).inc(by);
  }
}

export class Gauge extends Counter {
  set(labels: Labels, v: number): void {
    this.with(labels).set(v);
  }
}

export class Histogram extends Family<HistogramSeries> {
  constructor(name: string, help: string, labelNames: readonly string[], readonly buckets: readonly number[]) {
    super(name, help, 'histogram', labelNames);
  }
  protected create(): HistogramSeries {
    return new HistogramSeries(this.buckets);
  }
  protected samples(key: string, s: HistogramSeries, out: string[]): void {
    const pre = key ? `${key},` : '';
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += s.counts[i]!;
      out.push(`${this.name}_bucket{${pre}le="${formatValue(this.buckets[i]!)}"} ${cumulative}\n`);
    }
    out.push(`${this.name}_bucket{${pre}le="+Inf"} ${s.count}\n`);
    out.push(`${this.name}_sum${key ? `{${key}}` : ''} ${formatValue(s.sum)}\n`);
    out.push(`${this.name}_count${key ? `{${key}}` : ''} ${s.count}\n`);
  }
  observe(labels: Labels, v: number): void {
    this.with(labels).observe(v);
  }
}

type AnyFamily = Counter | Gauge | Histogram;

/** The families of one cluster, rendered in the order they were declared. */
export class MetricsRegistry {
  readonly #families = new Map<string, AnyFamily>();
  /** Text rendered by others (already in the exposition format), after the families. */
  readonly #texts: (() => string)[] = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#declare(name, 'counter', labelNames, () => new Counter(name, help, 'counter', sorted(labelNames))) as Counter;
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#declare(name, 'gauge', labelNames, () => new Gauge(name, help, 'gauge', sorted(labelNames))) as Gauge;
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    return this.#declare(name, 'histogram', labelNames, () => new Histogram(name, help, sorted(labelNames), [...buckets].sort((a, b) => a - b))) as Histogram;
  }

  /** Serves text that `render` gives (families kept elsewhere, e.g. audit's) after the registry's own. */
  include(render: () => string): void {
    this.#texts.push(render);
  }

  /** The family declared under `name`, if any. */
  get(name: string): AnyFamily | undefined {
    return this.#families.get(name);
  }

  /** The exposition text of every family. */
  render(): string {
    const out: string[] = [];
    for (const f of this.#families.values()) f.render(out);
    for (const t of this.#texts) out.push(t());
    return out.join('');
  }

  #declare(name: string, type: MetricType, labelNames: readonly string[], make: () => AnyFamily): AnyFamily {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`metric name "${name}" is not a Prometheus name`);
    const have = this.#families.get(name);
    if (have !== undefined) {
      if (have.type !== type || have.labelNames.join() !== sorted(labelNames).join()) {
        throw new Error(`metric ${name} is already declared as a ${have.type} with labels [${have.labelNames.join(', ')}]`);
      }
      return have;
    }
    const f = make();
    // A family without labels has its one series from the start (client_golang shows an unlabelled counter at 0).
    if (labelNames.length === 0) f.with({});
    this.#families.set(name, f);
    return f;
  }
}

const sorted = (names: readonly string[]): string[] => [...names].sort();
