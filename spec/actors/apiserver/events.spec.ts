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

test.run();
