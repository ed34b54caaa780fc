/**
 * The kv actor's bounded inbox (issue 21): with room for two unanswered requests, a burst of
 * creates gets some answered 503 ServiceUnavailable with Retry-After at once (no virtual time
 * passes), and exactly the acknowledged ones are stored.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, cm } from './harness.ts';

test('a full kv inbox: the apiserver answers 503 with Retry-After at once and stores nothing for it', async () => {
  const h = await start({ inboxLimit: 2 });
  try {
    const client = h.client();
    const t0 = h.clock.now();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.call('api.create', { target: t.cm('default'), object: cm(`c${i}`) })));
    assert.is(h.clock.now(), t0, 'answered without waiting for any timeout');
    const refused = results.flatMap((r, i) => (r.ok ? [] : [{ i, status: r.status }]));
    assert.ok(refused.length > 0, 'some creates found the kv inbox full');
    assert.ok(refused.length < 20, 'some got through');
    for (const { status } of refused) {
      assert.equal([status.code, status.reason], [503, 'ServiceUnavailable']);
      assert.match(status.message, 'storage is unavailable: the inbox of "kv" is full');
      assert.is(status.details?.retryAfterSeconds, 1);
    }
    const listed = (await client.must('api.list', { target: t.cm('default') })) as { items: { metadata?: { name?: string } }[] };
    const stored = new Set(listed.items.map((o) => o.metadata?.name));
    results.forEach((r, i) => assert.is(stored.has(`c${i}`), r.ok, `c${i} stored exactly when acknowledged`));
    assert.ok(h.bus.stats().rejected.overloaded >= refused.length);
  } finally {
    await h.close();
  }
});

test.run();
