import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Envelope } from '../../../base/envelope.ts';
import { fail, ok, status, tooManyRequests, type Result, type Status } from '../../../base/status.ts';
import { InProcessBus } from '../../../bus/inprocess.ts';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { seededRandom } from '../../../actors/random.ts';
import { ApiClient, ClientThrottle, targets, throttledPort, type ClientLimits } from '../../../actors/client/index.ts';
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, JITTER_FACTOR, MAX_RETRIES } from '../../../actors/client/backoff.ts';
import { pod, start } from '../apiserver/harness.ts';

const throttle = (clock: VirtualClock, limits: ClientLimits, seed = 42) => new ClientThrottle({ component: 'spec', limits, clock, random: seededRandom(seed) });

/** A stand-in apiserver on a real bus that answers each request with the next scripted reply, noting when it arrived. */
function scripted(replies: Result<unknown>[]) {
  const clock = new VirtualClock();
  const bus = new InProcessBus({ clock });
  const arrivals: { at: number; type: string }[] = [];
  const server = bus.register('apiserver', (env: Envelope) => {
    if (env.corr === undefined) return;
    arrivals.push({ at: clock.now(), type: env.type });
    server.reply(env, (replies.shift() ?? ok({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p' } })) as Result<never>);
  });
  return { clock, bus, arrivals, port: bus.register('spec', () => undefined), elapsed: (i: number) => arrivals[i]!.at - arrivals[0]!.at };
}

/** The waits backoff.ts gives retries 0..n-1 of a failure with Retry-After `after` s, drawn from the same seeded stream. */
function expectedWaits(n: number, afterSeconds: number, seed = 42): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, retry) => {
    const wait = Math.max(afterSeconds * 1000, Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retry));
    return Math.round(wait * (1 + JITTER_FACTOR * random()));
  });
}

const unavailable = (after?: number): Status => status(503, 'ServiceUnavailable', 'storage is busy', after === undefined ? undefined : { retryAfterSeconds: after });

test('a burst beyond the bucket is sent at once up to burst, then one request every 1/qps, in order', async () => {
  const h = await start();
  try {
    const api = new ApiClient(throttledPort(h.client().port, throttle(h.clock, { qps: 10, burst: 5 })));
    const t0 = h.clock.now();
    const done: { i: number; at: number }[] = [];
    const all = Array.from({ length: 25 }, (_, i) => api.create(targets.pods('default'), pod(`p-${i}`)).then((r) => (assert.ok(r.ok), done.push({ i, at: h.clock.now() - t0 }))));
    await h.settle();
    assert.is(done.length, 5, 'the first five (the burst) go at once');
    for (let ms = 0; ms < 2000; ms += 50) {
      await h.clock.advance(50);
      await h.settle();
    }
    await Promise.all(all);
    assert.equal(done.map((d) => d.i), Array.from({ length: 25 }, (_, i) => i), 'in the order they were asked');
    assert.equal(done.map((d) => d.at), Array.from({ length: 25 }, (_, i) => Math.max(0, i - 4) * 100));
    // Tokens come back at qps: after a quiet second, ten more go at once (the bucket holds no more than burst: five).
    await h.clock.advance(1000);
    const later = await Promise.all([0, 1, 2, 3, 4].map((i) => api.get(targets.pods('default', `p-${i}`))));
    assert.ok(later.every((r) => r.ok));
  } finally {
    await h.close();
  }
});

test('qps 0 (or less) is unlimited: nothing waits', async () => {
  const s = scripted([]);
  const api = new ApiClient(throttledPort(s.port, throttle(s.clock, { qps: 0, burst: 1 })));
  const replies = await Promise.all(Array.from({ length: 50 }, () => api.get(targets.pods('default', 'p'))));
  assert.ok(replies.every((r) => r.ok));
  assert.is(s.arrivals.length, 50);
  assert.is(s.elapsed(49), 0);
  await s.bus.close();
});

test('a 429 with Retry-After is sent again after it (and jitter), and its success is the answer', async () => {
  const s = scripted([fail(tooManyRequests('Too many requests, please try again later.', 3))]);
  const api = new ApiClient(throttledPort(s.port, throttle(s.clock, { qps: 50, burst: 100 })));
  const reply = api.get(targets.pods('default', 'p'));
  await s.clock.runUntilIdle();
  const r = await reply;
  assert.ok(r.ok, 'the retry succeeded');
  assert.is(s.arrivals.length, 2);
  const [wait] = expectedWaits(1, 3);
  assert.is(s.elapsed(1), wait);
  assert.ok(wait! >= 3000 && wait! <= 3000 * (1 + JITTER_FACTOR));
  await s.bus.close();
});

test('5xx with Retry-After backs off exponentially with jitter and stops after 10 retries, answering the last Status', async () => {
  const s = scripted(Array.from({ length: 20 }, () => fail(unavailable(1))));
  const api = new ApiClient(throttledPort(s.port, throttle(s.clock, { qps: 50, burst: 100 })));
  const reply = api.update(targets.pods('default', 'p'), pod('p'));
  await s.clock.runUntilIdle();
  const r = await reply;
  assert.ok(!r.ok);
  assert.is(r.status.code, 503);
  assert.is(r.status.details?.retryAfterSeconds, 1);
  assert.is(s.arrivals.length, 1 + MAX_RETRIES);
  const gaps = s.arrivals.slice(1).map((a, i) => a.at - s.arrivals[i]!.at);
  assert.equal(gaps, expectedWaits(MAX_RETRIES, 1));
  // Exponential: every gap at least the doubled base (capped), and no two clients in step (jitter).
  gaps.forEach((g, i) => assert.ok(g >= Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** i), `gap ${i}: ${g}`));
  assert.ok(new Set(gaps.map((g, i) => g / Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** i))).size > 1, 'jitter varies');
  await s.bus.close();
});

test('a 504, a 500 or a 503 without Retry-After, and a 429 without it (a refused eviction), are answered at once', async () => {
  for (const st of [status(504, 'Timeout', 'request did not complete within the allowed duration'), status(500, 'InternalError', 'boom'), unavailable(), tooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.')]) {
    const s = scripted([fail(st)]);
    const api = new ApiClient(throttledPort(s.port, throttle(s.clock, { qps: 50, burst: 100 })));
    const r = await api.create(targets.pods('default'), pod('p'));
    assert.ok(!r.ok);
    assert.is(r.status.code, st.code);
    assert.is(s.arrivals.length, 1, `${st.code} is not retried`);
    assert.is(s.clock.pending, 0, 'nothing is left waiting');
    await s.bus.close();
  }
});

test('each retry takes a token again; watches take none', async () => {
  const s = scripted([fail(tooManyRequests('slow down', 1))]);
  const port = throttledPort(s.port, throttle(s.clock, { qps: 1, burst: 1 }));
  const api = new ApiClient(port);
  const first = api.get(targets.pods('default', 'a'));
  const second = api.get(targets.pods('default', 'b'));
  // A watch is not held back by the empty bucket.
  void port.request('apiserver', 'api.watch', { target: targets.pods('default'), id: 'w1', options: {} });
  await s.clock.runUntilIdle();
  assert.ok((await first).ok && (await second).ok);
  assert.equal(s.arrivals.map((a) => `${a.at - s.arrivals[0]!.at} ${a.type}`), [
    '0 api.get', // a: 429, Retry-After 1 s
    '0 api.watch',
    '1000 api.get', // b: waited a token
    `${Math.max(2000, expectedWaits(1, 1)[0]!)} api.get`, // a again: after its back-off, and after the next token (2 s)
  ]);
  await s.bus.close();
});

test('a port without retries (the kubelet\'s status writes) shares the bucket and answers a 429 as it came', async () => {
  const s = scripted([fail(tooManyRequests('slow down', 1))]);
  const t = throttle(s.clock, { qps: 1, burst: 1 });
  const once = new ApiClient(throttledPort(s.port, t, { retry: false }));
  const retrying = new ApiClient(throttledPort(s.port, t));
  const refused = await once.get(targets.pods('default', 'a'));
  assert.ok(!refused.ok && refused.status.code === 429, 'not retried');
  const next = retrying.get(targets.pods('default', 'b'));
  await s.clock.runUntilIdle();
  assert.ok((await next).ok);
  assert.equal(s.arrivals.map((a) => a.at - s.arrivals[0]!.at), [0, 1000], 'the other port waited for the shared bucket');
  await s.bus.close();
});

test.run();
