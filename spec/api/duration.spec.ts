/**
 * Go duration strings, parsed as Go's time.ParseDuration parses them (the grammar
 * kube-apiserver's and kube-controller-manager's duration flags take).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseGoDuration } from '../../api/duration.ts';

const valid: [string, number][] = [
  ['60s', 60_000],
  ['1m30s', 90_000],
  ['1h2m3s4ms', 3_723_004],
  ['1.5h', 5_400_000],
  ['500ms', 500],
  ['.5s', 500],
  ['1.s', 1000],
  ['100ns', 0.0001],
  ['2us', 0.002],
  ['2µs', 0.002],
  ['2μs', 0.002],
  ['0', 0],
  ['0s', 0],
  ['+5s', 5000],
  ['-5s', -5000],
];

for (const [text, ms] of valid) {
  test(`"${text}" is ${ms} ms`, () => {
    const got = parseGoDuration(text);
    assert.ok(got !== null && Math.abs(got - ms) < 1e-9, `${text}: ${got}`);
  });
}

const invalid = ['', '5', 'abc', '5d', '.s', 's', '1m 30s', '--5s', '1e3s', '5s.', '-', '9999999999h'];

for (const text of invalid) {
  test(`"${text}" is not a Go duration`, () => {
    assert.is(parseGoDuration(text), null);
  });
}

test.run();
