/**
 * The one RFC 3339 writer (api/time.ts) agrees with Date's ISO form at every precision
 * Kubernetes writes: metav1.Time (seconds), metav1.MicroTime and CRI log stamps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { microTime, rfc3339, rfc3339Nano } from '../../api/time.ts';

const samples = [0, 999, 1_000, 951_782_400_000 /* 2000-02-29 */, 1_735_689_599_999, 4_102_444_800_123 /* 2100-01-01 */, 1_709_251_199_500];

test('rfc3339: whole seconds, the fraction floored', () => {
  for (const ms of samples) assert.is(rfc3339(ms), new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z'), String(ms));
  assert.is(rfc3339(Date.UTC(2024, 4, 1, 12)), '2024-05-01T12:00:00Z');
});

test('microTime: six fractional digits', () => {
  assert.is(microTime(Date.UTC(2025, 0, 1) + 1500.25), '2025-01-01T00:00:01.500250Z');
  for (const ms of samples) assert.is(microTime(ms), new Date(ms).toISOString().replace(/Z$/, '000Z'), String(ms));
});

test('rfc3339Nano: nine fractional digits at ms precision', () => {
  for (const ms of samples) assert.is(rfc3339Nano(ms), new Date(ms).toISOString().replace(/Z$/, '000000Z'), String(ms));
});

test.run();
