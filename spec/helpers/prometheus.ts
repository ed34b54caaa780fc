/**
 * Parses Prometheus text exposition (0.0.4) back into samples, asserting its grammar on the
 * way: every family has HELP and TYPE before its samples, every sample line is
 * `name{labels} value`, label values are unescaped. Specs check metrics on the parsed data,
 * never by matching text.
 */
import * as assert from 'uvu/assert';

export type Labels = Record<string, string>;
export interface Sample { name: string; labels: Labels; value: number }
export interface Family { name: string; help: string; type: string; samples: Sample[] }

/** The families of `text`, in order, each with its samples (a histogram's _bucket, _sum and _count included). */
export function parseFamilies(text: string): Family[] {
  const families: Family[] = [];
  const byName = new Map<string, Family>();
  const helps = new Map<string, string>();
  assert.ok(text === '' || text.endsWith('\n'), 'the text ends with a newline');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const [, what, name, rest] = meta as unknown as [string, string, string, string];
      if (what === 'HELP') helps.set(name, rest.replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch)));
      else {
        assert.ok(['counter', 'gauge', 'histogram'].includes(rest), line);
        assert.ok(helps.has(name), `${name} has # HELP before # TYPE`);
        assert.not.ok(byName.has(name), `${name} is declared once`);
        const f = { name, help: helps.get(name)!, type: rest, samples: [] };
        families.push(f);
        byName.set(name, f);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `a sample line: ${line}`);
    const name = m![1]!;
    const family = byName.get(name) ?? byName.get(name.replace(/_(bucket|sum|count)$/, ''));
    assert.ok(family, `${name} has a # TYPE line before its samples`);
    const labels: Labels = {};
    const body = m![2] ?? '';
    // The whole label set must be label pairs, comma-separated, nothing else.
    assert.ok(/^(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,|$))*$/.test(body), `well-formed labels: ${line}`);
    for (const [, k, v] of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[k!] = v!.replace(/\\(.)/g, (_, ch: string) => (ch === 'n' ? '\n' : ch));
    }
    const raw = m![3]!;
    family!.samples.push({ name, labels, value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw) });
  }
  return families;
}

/** Every sample of `text`. */
export function parseSamples(text: string): Sample[] {
  return parseFamilies(text).flatMap((f) => f.samples);
}

/** The value of the sample named `name` with exactly these labels; 0 when there is none. */
export function valueOf(samples: Sample[], name: string, labels: Labels = {}): number {
  const keys = Object.keys(labels).sort().join();
  const hit = samples.find((s) => s.name === name && Object.keys(s.labels).sort().join() === keys && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hit?.value ?? 0;
}
