/**
 * The metrics registry and its text exposition (0.0.4), checked by parsing the text back:
 * HELP and TYPE per family, escaped label values, histograms cumulative with +Inf, _sum and
 * _count, readers at scrape time, families shared by name, one registry per cluster.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exponentialBuckets, MetricsRegistry } from '../../base/metrics.ts';
import { parseFamilies, parseSamples, valueOf } from '../helpers/prometheus.ts';

test('counters and gauges render HELP, TYPE and one sample per label set, labels sorted and escaped', () => {
  const r = new MetricsRegistry();
  const c = r.counter('things_total', 'Things seen.\nSecond line with a \\ backslash.', ['verb', 'code']);
  c.inc({ verb: 'GET', code: '200' });
  c.inc({ verb: 'GET', code: '200' }, 2);
  c.inc({ code: '404', verb: 'weird "quoted"\nnewline \\ slash' });
  const g = r.gauge('level', 'A level.');
  g.set({}, 7.5);
  const text = r.render();
  const families = parseFamilies(text);
  assert.equal(families.map((f) => [f.name, f.type]), [['things_total', 'counter'], ['level', 'gauge']]);
  assert.is(families[0]!.help, 'Things seen.\nSecond line with a \\ backslash.');
  const s = parseSamples(text);
  assert.is(valueOf(s, 'things_total', { verb: 'GET', code: '200' }), 3);
  assert.is(valueOf(s, 'things_total', { code: '404', verb: 'weird "quoted"\nnewline \\ slash' }), 1);
  assert.is(valueOf(s, 'level'), 7.5);
  // Label names are rendered sorted (code before verb), as kube-apiserver's exposition does.
  assert.match(text, 'things_total{code="200",verb="GET"} 3\n');
});

test('a histogram renders cumulative buckets ending in +Inf, then _sum and _count', () => {
  const r = new MetricsRegistry();
  const h = r.histogram('wait_seconds', 'Waits.', ['name'], [0.1, 1, 10]);
  for (const v of [0.05, 0.1, 0.5, 3, 30, 30]) h.observe({ name: 'q' }, v);
  const fam = parseFamilies(r.render())[0]!;
  assert.is(fam.type, 'histogram');
  const buckets = fam.samples.filter((x) => x.name === 'wait_seconds_bucket').map((x) => [x.labels.le, x.value]);
  assert.equal(buckets, [['0.1', 2], ['1', 3], ['10', 4], ['+Inf', 6]]);
  assert.is(valueOf(fam.samples, 'wait_seconds_count', { name: 'q' }), 6);
  assert.ok(Math.abs(valueOf(fam.samples, 'wait_seconds_sum', { name: 'q' }) - 63.65) < 1e-9);
  assert.ok(fam.samples.every((x) => x.labels.name === 'q'));
});

test('exponentialBuckets gives client_golang\'s ExponentialBuckets', () => {
  assert.equal(exponentialBuckets(0.001, 2, 4), [0.001, 0.002, 0.004, 0.008]);
  assert.equal(exponentialBuckets(1e-8, 10, 12).at(-1), 1000);
});

test('readers are asked at scrape time, one per owner; a later reader of the same owner replaces it', () => {
  const r = new MetricsRegistry();
  let depth = 1;
  const g = r.gauge('workqueue_depth', 'Depth.', ['name']);
  g.collect(() => [[{ name: 'a' }, depth]], 'a');
  g.collect(() => [[{ name: 'b' }, 5]], 'b');
  depth = 4;
  let s = parseSamples(r.render());
  assert.is(valueOf(s, 'workqueue_depth', { name: 'a' }), 4);
  assert.is(valueOf(s, 'workqueue_depth', { name: 'b' }), 5);
  g.collect(() => [[{ name: 'b' }, 6]], 'b');
  s = parseSamples(r.render());
  assert.is(valueOf(s, 'workqueue_depth', { name: 'b' }), 6);
  assert.is(s.filter((x) => x.labels.name === 'b').length, 1);
});

test('a family declared again is the same family; another type or label set is refused; bad names and labels throw', () => {
  const r = new MetricsRegistry();
  r.counter('x_total', 'X.', ['a']).inc({ a: '1' });
  r.counter('x_total', 'X.', ['a']).inc({ a: '1' });
  assert.is(valueOf(parseSamples(r.render()), 'x_total', { a: '1' }), 2);
  assert.throws(() => r.gauge('x_total', 'X.', ['a']), /already declared as a counter/);
  assert.throws(() => r.counter('x_total', 'X.', ['b']), /already declared/);
  assert.throws(() => r.counter('bad-name', 'X.'), /not a Prometheus name/);
  assert.throws(() => r.counter('x_total', 'X.', ['a']).inc({ b: '1' }), /unknown label "b"/);
});

test('two registries (two clusters in one process) count apart', () => {
  const one = new MetricsRegistry();
  const two = new MetricsRegistry();
  one.counter('n_total', 'N.').inc();
  two.counter('n_total', 'N.');
  assert.is(valueOf(parseSamples(one.render()), 'n_total'), 1);
  // An unlabelled counter shows 0 before its first count.
  assert.equal(parseSamples(two.render()), [{ name: 'n_total', labels: {}, value: 0 }]);
});

test.run();
