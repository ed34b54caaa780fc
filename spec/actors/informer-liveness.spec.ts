/**
 * Watch liveness in virtual time: the apiserver sends a BOOKMARK to a watch that was sent
 * nothing for a heartbeat period (`progressNotifyMs`, said in the watch's reply), and an
 * informer whose watch brings nothing for SILENT_PERIODS periods takes the stream as dead and
 * watches again from its last resourceVersion (a 410 there: it re-lists). The dead stream is
 * made by dropping the watch from the apiserver without telling the informer — what a
 * SIGKILLed apiserver process does to the watches it served.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, cm, type Harness } from './apiserver/harness.ts';
import { Informer, SILENT_PERIODS } from '../../actors/informer.ts';
import type { Envelope } from '../../base/envelope.ts';
import type { WatchEvent } from '../../bus/catalogue/api.ts';

const BEAT = 5_000;
let h: Harness;
test.after.each(async () => {
  await h?.close();
});

/** A component with one informer on configmaps; counts the bookmarks and the silences it saw. */
function component(address: string) {
  const queue: string[] = [];
  const silences: number[] = [];
  const at: number[] = [];
  let bookmarks = 0;
  let informer: Informer | undefined;
  const port = h.bus.register(address, (env: Envelope) => {
    if (env.type === 'api.watch-events') bookmarks += (env.payload as { events: WatchEvent[] }).events.filter((e) => e.type === 'BOOKMARK').length;
    informer?.handle(env);
  });
  informer = new Informer({
    port,
    clock: h.clock,
    target: t.cm(),
    handlers: { add: (k) => queue.push(`add ${k}`), delete: (k) => queue.push(`delete ${k}`) },
    onSilent: (ms) => (silences.push(ms), at.push(h.clock.now())),
  });
  return { informer, queue, silences, at, bookmarks: () => bookmarks };
}

/** The apiserver's watches held by `address`. */
const watchesOf = (address: string) => h.core.apiserver().context.watchers.all().filter((w) => w.address === address);

/** Drops `address`'s watch in the apiserver without a word: its stream is dead. */
function killStream(address: string): void {
  const [w] = watchesOf(address);
  assert.ok(w, `${address} has a watch`);
  h.core.apiserver().context.watchers.remove(address, w.id);
}

async function advance(ms: number, step = 1000): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    await h.clock.advance(step);
    await h.settle();
  }
}

test('the watch reply names the heartbeat period; an idle, live watch gets a bookmark every period and is never taken as dead', async () => {
  h = await start({ progressNotifyMs: BEAT });
  const c = h.client();
  const w = await c.must('api.watch', { target: t.cm(), id: 'w1', allowWatchBookmarks: true });
  assert.is(w.progressNotifyMs, BEAT);
  const plain = await c.must('api.watch', { target: t.cm(), id: 'w2' });
  assert.is(plain.progressNotifyMs, undefined, 'a watch without bookmarks gets no heartbeat');

  const x = component('controller.idle');
  await x.informer.start();
  await advance(10 * 60_000, BEAT);
  assert.equal(x.silences, []);
  assert.is(x.informer.lists, 1);
  assert.is(watchesOf('controller.idle').length, 1);
  // One heartbeat per period (the first period's may fall before the watch began).
  assert.ok(x.bookmarks() >= 10 * 60_000 / BEAT - 1 && x.bookmarks() <= 10 * 60_000 / BEAT, `${x.bookmarks()} bookmarks`);
  x.informer.stop();
});

test('a busy watch costs no heartbeat: its events prove it alive', async () => {
  // Under a minute: the apiserver's minute tick sends every bookmark watch a bookmark anyway (as Kubernetes does).
  h = await start({ progressNotifyMs: BEAT });
  const c = h.client();
  const x = component('controller.busy');
  await x.informer.start();
  for (let i = 0; i < 55; i++) {
    await c.must('api.create', { target: t.cm(), object: cm(`c-${i}`) });
    await advance(1000);
  }
  assert.is(x.bookmarks(), 0);
  assert.is(x.informer.size, 55);
  x.informer.stop();
});

test('a watch whose stream died silently is watched again from its resourceVersion within SILENT_PERIODS + 1 periods, nothing missed, no re-list', async () => {
  h = await start({ progressNotifyMs: BEAT });
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  const x = component('controller.orphan');
  await x.informer.start();
  await advance(2 * BEAT);
  killStream('controller.orphan');
  const killedAt = h.clock.now();
  await c.must('api.create', { target: t.cm(), object: cm('b') });
  await c.must('api.delete', { target: t.cm('default', 'a') });
  await h.settle();
  assert.equal(x.informer.keys(), ['default/a'], 'nothing arrives on a dead stream');

  await advance(SILENT_PERIODS * BEAT - 1000);
  assert.equal(x.silences, [], 'not before SILENT_PERIODS periods of silence');
  await advance(2 * BEAT);
  assert.equal(x.silences, [SILENT_PERIODS * BEAT]);
  assert.equal(x.informer.keys(), ['default/b']);
  assert.equal(x.queue, ['add default/a', 'add default/b', 'delete default/a']);
  assert.is(x.informer.lists, 1, 'watched again from its resourceVersion, not re-listed');
  assert.is(watchesOf('controller.orphan').length, 1);
  const noticed = x.at[0]! - killedAt;
  assert.ok(noticed >= SILENT_PERIODS * BEAT - BEAT && noticed <= (SILENT_PERIODS + 1) * BEAT, `noticed ${noticed} ms after the stream died`);

  // And the new watch is followed as the first was.
  await c.must('api.create', { target: t.cm(), object: cm('c') });
  await h.settle();
  assert.ok(x.informer.get('default/c'));
  x.informer.stop();
});

test('when the history since its resourceVersion is gone, the watch again is answered 410 and the informer re-lists', async () => {
  h = await start({ progressNotifyMs: BEAT, watchWindow: 2 });
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  const x = component('controller.late');
  await x.informer.start();
  killStream('controller.late');
  for (let i = 0; i < 5; i++) await c.must('api.create', { target: t.cm(), object: cm(`n-${i}`) });
  await c.must('api.delete', { target: t.cm('default', 'a') });
  await advance((SILENT_PERIODS + 1) * BEAT);
  assert.is(x.silences.length, 1);
  assert.is(x.informer.lists, 2);
  assert.equal(x.informer.keys().sort(), ['default/n-0', 'default/n-1', 'default/n-2', 'default/n-3', 'default/n-4']);
  assert.ok(x.queue.includes('delete default/a'));
  x.informer.stop();
});

test('a previous watch that still sends (its unwatch reached another apiserver) is told again until it stops', async () => {
  h = await start({ progressNotifyMs: BEAT });
  const c = h.client();
  let informer: Informer | undefined;
  let lose = false;
  let dropUnwatch = false;
  const port = h.bus.register('controller.leaky', (env: Envelope) => {
    if (lose && env.type === 'api.watch-events') {
      lose = false;
      return;
    }
    informer?.handle(env);
  });
  // The first unwatch goes astray, as one sent to the queue group may land on an apiserver that never had the watch.
  const astray: typeof port = { ...port, send: (to, type, payload) => (dropUnwatch && type === 'api.unwatch' ? void (dropUnwatch = false) : port.send(to, type, payload)) };
  informer = new Informer({ port: astray, clock: h.clock, target: t.cm(), handlers: {} });
  await informer.start();
  lose = true;
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  await h.settle();
  dropUnwatch = true;
  await c.must('api.create', { target: t.cm(), object: cm('b') });
  await h.settle();
  assert.is(informer.lists, 2, 'the skipped batch number made it re-list');
  assert.is(watchesOf('controller.leaky').length, 2, 'the old watch was not dropped');
  await c.must('api.create', { target: t.cm(), object: cm('c') });
  await h.settle();
  assert.is(watchesOf('controller.leaky').length, 1, 'its next batch made the informer say unwatch again');
  assert.equal(informer.keys(), ['default/a', 'default/b', 'default/c']);
  informer.stop();
});

test('without a heartbeat period (one process: a watch cannot die silently) the informer sets no liveness timer', async () => {
  h = await start();
  const x = component('controller.local');
  await x.informer.start();
  const before = h.clock.pending;
  await advance(BEAT * 10, BEAT);
  assert.equal(x.silences, []);
  assert.is(x.bookmarks(), 0);
  assert.is(h.clock.pending, before);
  x.informer.stop();
});

test.run();
