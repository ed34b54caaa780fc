import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, pod, type Harness } from './harness.ts';
import { EventRecorder } from '../../../actors/events.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

test('records an Event and counts repeats instead of creating new ones', async () => {
  const c = h.client('scheduler');
  // The pod is a user's (the scheduler may not create pods); the scheduler records its Events.
  const p = (await h.client().must('api.create', { target: t.pods(), object: pod('p') })).object;
  const rec = new EventRecorder({ port: c.port, clock: h.clock, component: 'default-scheduler' });
  const first = await rec.record(p, 'Warning', 'FailedScheduling', '0/3 nodes are available');
  assert.ok(first.ok);
  await h.clock.advance(5000);
  const second = await rec.record(p, 'Warning', 'FailedScheduling', '0/3 nodes are available');
  assert.ok(second.ok);
  await rec.record(p, 'Normal', 'Scheduled', 'Successfully assigned default/p to n1');
  // A user reads them (the scheduler may only write Events).
  const list = await h.client().must('api.list', { target: t.events() });
  const items = list.items as Record<string, unknown>[];
  assert.is(items.length, 2);
  const failed = items.find((e) => e.reason === 'FailedScheduling')!;
  assert.is(failed.count, 2);
  assert.is(failed.type, 'Warning');
  assert.is(failed.firstTimestamp, '2025-01-01T00:00:00Z');
  assert.is(failed.lastTimestamp, '2025-01-01T00:00:05Z');
  assert.equal(failed.source, { component: 'default-scheduler' });
  assert.is(failed.reportingComponent, 'default-scheduler');
  assert.equal((failed.involvedObject as { name: string; uid: string }).uid, p.metadata!.uid);
  // Field selectors on events work (kubectl describe uses involvedObject.name).
  const byObj = await h.client().must('api.list', { target: t.events(), options: { fieldSelector: 'involvedObject.name=p,reason=Scheduled' } });
  assert.is((byObj.items as unknown[]).length, 1);
});

test('similar events with ten or more messages become one "(combined from similar events)" Event (client-go\'s aggregator)', async () => {
  const p = (await h.client().must('api.create', { target: t.pods(), object: pod('p') })).object;
  const rec = new EventRecorder({ port: h.client('scheduler').port, clock: h.clock, component: 'default-scheduler' });
  for (let i = 1; i <= 12; i++) {
    assert.ok((await rec.record(p, 'Warning', 'FailedScheduling', `0/${i} nodes are available`)).ok);
    await h.clock.advance(1000);
  }
  const items = (await h.client().must('api.list', { target: t.events() })).items as Array<{ message: string; count: number }>;
  const combined = items.filter((e) => e.message.startsWith('(combined from similar events): '));
  assert.is(items.length - combined.length, 9, 'the first nine stand alone');
  assert.equal(combined.map((e) => [e.message, e.count]), [['(combined from similar events): 0/12 nodes are available', 3]]);
});

test('the spam filter lets 25 events about one object through, then one every 5 minutes (virtual time)', async () => {
  const p = (await h.client().must('api.create', { target: t.pods(), object: pod('p') })).object;
  const rec = new EventRecorder({ port: h.client('scheduler').port, clock: h.clock, component: 'default-scheduler' });
  const results = [];
  for (let i = 0; i < 30; i++) results.push(await rec.record(p, 'Normal', `Reason${i}`, 'something happened'));
  assert.equal(results.map((r) => r.ok && r.value !== null), [...Array<boolean>(25).fill(true), ...Array<boolean>(5).fill(false)]);
  assert.is(((await h.client().must('api.list', { target: t.events() })).items as unknown[]).length, 25);
  await h.clock.advance(290_000);
  const soon = await rec.record(p, 'Normal', 'Late', 'too soon');
  assert.ok(soon.ok && soon.value === null, 'no token yet');
  await h.clock.advance(12_000);
  const later = await rec.record(p, 'Normal', 'Later', 'a token came back');
  assert.ok(later.ok && later.value !== null, 'one token after 5 minutes');
  assert.is(((await h.client().must('api.list', { target: t.events() })).items as unknown[]).length, 26);
});

test('repeats are counted per object: a recreated pod of the same name, and a reference without a uid, start their own Events', async () => {
  const c = h.client();
  const rec = new EventRecorder({ port: h.client('scheduler').port, clock: h.clock, component: 'default-scheduler' });
  const first = (await c.must('api.create', { target: t.pods(), object: pod('p') })).object;
  await rec.record(first, 'Normal', 'Scheduled', 'Successfully assigned default/p to n1');
  await rec.record(first, 'Normal', 'Scheduled', 'Successfully assigned default/p to n1');
  await c.must('api.delete', { target: t.pods('default', 'p'), options: { gracePeriodSeconds: 0 } });
  const again = (await c.must('api.create', { target: t.pods(), object: pod('p') })).object;
  assert.is.not(again.metadata!.uid, first.metadata!.uid);
  await h.clock.advance(1000);
  await rec.record(again, 'Normal', 'Scheduled', 'Successfully assigned default/p to n1');
  await rec.record({ kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'p' }, 'Normal', 'Scheduled', 'Successfully assigned default/p to n1');
  await rec.record({ kind: 'Pod', apiVersion: 'v1', namespace: 'default', name: 'p' }, 'Normal', 'Scheduled', 'Successfully assigned default/p to n1');
  const items = (await c.must('api.list', { target: t.events() })).items as Array<{ count: number; involvedObject: { uid?: string } }>;
  assert.equal(items.map((e) => [e.involvedObject.uid ?? '', e.count]).sort(), [['', 2], [first.metadata!.uid!, 2], [again.metadata!.uid!, 1]].sort());
});

test.run();
