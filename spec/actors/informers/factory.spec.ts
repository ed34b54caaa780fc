import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { start, t, cm, type Harness } from '../apiserver/harness.ts';
import { informerFactory, INFORMERS_ADDRESS, type ObjectHandlers, type SharedInformerFactory } from '../../../actors/informers/index.ts';
import { controllerActor } from '../../../actors/controllers/actor.ts';
import type { ControllerDefinition } from '../../../actors/controllers/framework.ts';
import { resourceTargets } from '../../../actors/client/index.ts';
import type { InformersContext } from '../../../machines/informers.ts';

const configmaps = resourceTargets<ConfigMap>('', 'v1', 'configmaps');

let h: Harness;
/** api.list / api.watch envelopes the apiserver received, by sender. */
let calls: { from: string; type: string; resource: string }[];
test.before.each(async () => {
  h = await start();
  calls = [];
  h.bus.tap((env) => {
    if (env.to !== 'apiserver' || (env.type !== 'api.watch' && env.type !== 'api.list')) return;
    calls.push({ from: env.from, type: env.type, resource: (env.payload as { target: { resource: string } }).target.resource });
  });
});
test.after.each(async () => {
  h.host.stopAll();
  await h.close();
});

/** A subscriber that writes what it hears as "<name> add|update|delete <object name>". */
function recorder(log: string[], name: string): ObjectHandlers<ConfigMap> {
  const n = (o: ConfigMap) => o.metadata?.name;
  return {
    add: (o) => void log.push(`${name} add ${n(o)}`),
    update: (_, o) => void log.push(`${name} update ${n(o)}`),
    delete: (o) => void log.push(`${name} delete ${n(o)}`),
  };
}

const chartContext = (): InformersContext => h.host.get(INFORMERS_ADDRESS)!.ref!.getSnapshot().context;

test('N subscribers of one resource share one list and one watch, sent from the factory', async () => {
  const factory = informerFactory(h.host);
  assert.is(informerFactory(h.host), factory, 'one factory per host');
  const log: string[] = [];
  for (const name of ['rs', 'job', 'ds']) factory.informer({ target: configmaps() }).subscribe(recorder(log, name));
  await h.settle();
  await h.client().must('api.create', { target: t.cm(), object: cm('a') });
  await h.settle();
  assert.equal(log, ['rs add a', 'job add a', 'ds add a']);
  assert.equal(calls.filter((c) => c.resource === 'configmaps'), [
    { from: INFORMERS_ADDRESS, type: 'api.list', resource: 'configmaps' },
    { from: INFORMERS_ADDRESS, type: 'api.watch', resource: 'configmaps' },
  ]);
  // Another namespace or selector is another informer.
  factory.informer({ target: configmaps('kube-system') });
  factory.informer({ target: configmaps(), labelSelector: 'app=web' });
  await h.settle();
  assert.is(calls.filter((c) => c.type === 'api.watch').length, 3);
  const state = chartContext().informers['core/configmaps'];
  assert.equal({ ...state, resourceVersion: '' }, { resource: 'core/configmaps', synced: true, resourceVersion: '', lists: 1, subscribers: 3, objects: 1 });
  assert.ok(Number(state!.resourceVersion) > 0, 'the chart shows the resourceVersion followed');
  assert.ok(chartContext().informers['core/configmaps -n kube-system'] && chartContext().informers['core/configmaps -l app=web']);
});

/** Config maps a and b, and the factory's informer of config maps (no subscriber yet). */
async function withAB() {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  await c.must('api.create', { target: t.cm(), object: cm('b') });
  const log: string[] = [];
  return { c, log, inf: informerFactory(h.host).informer({ target: configmaps() }) };
}

test('a late subscriber gets the cache as adds; an unsubscribed one hears nothing more', async () => {
  const { c, log, inf } = await withAB();
  const early = inf.subscribe(recorder(log, 'early'));
  await inf.whenSynced();
  inf.subscribe(recorder(log, 'late'));
  assert.equal(log, ['early add a', 'early add b', 'late add a', 'late add b']);
  early();
  await c.must('api.delete', { target: t.cm('default', 'a') });
  await h.settle();
  assert.equal(log.slice(4), ['late delete a']);
  assert.is(chartContext().informers['core/configmaps']!.subscribers, 1);
});

test('a restarted factory re-lists and its subscribers see only the difference', async () => {
  const { c, log, inf } = await withAB();
  inf.subscribe(recorder(log, 's'));
  await inf.whenSynced();
  // A malformed watch batch makes the factory's actor fail; the host restarts it after a backoff.
  h.client('spoiler').port.send(INFORMERS_ADDRESS, 'api.watch-events', {} as never);
  await h.settle();
  assert.is(h.host.get(INFORMERS_ADDRESS)!.state, 'restarting');
  await c.must('api.delete', { target: t.cm('default', 'a') });
  await c.must('api.create', { target: t.cm(), object: cm('c') });
  await h.clock.advance(1000);
  await h.settle();
  assert.is(h.host.get(INFORMERS_ADDRESS)!.state, 'running');
  assert.equal(log, ['s add a', 's add b', 's delete a', 's add c']);
  assert.equal(inf.keys().sort(), ['default/b', 'default/c']);
  assert.is(chartContext().informers['core/configmaps']!.lists, 2);
  await c.must('api.create', { target: t.cm(), object: cm('d') });
  await h.settle();
  assert.equal(log.at(-1), 's add d', 'watching again');
});

/** A controller that records its handler calls and syncs nothing. */
function listening(factory: SharedInformerFactory, log: string[], incarnation: number) {
  const def: ControllerDefinition = {
    name: 'listening',
    component: 'listening-controller',
    enabledByDefault: false,
    create(cc) {
      cc.informer({ target: configmaps(), handlers: recorder(log, `#${incarnation}`) });
      return { sync: async () => undefined };
    },
  };
  return controllerActor(def, { factory });
}

test("a subscriber's restart: the old incarnation goes quiet, the new one gets the cache as adds", async () => {
  const c = h.client();
  await c.must('api.create', { target: t.cm(), object: cm('a') });
  const factory = informerFactory(h.host);
  const log: string[] = [];
  h.host.spawn(listening(factory, log, 1));
  await h.settle();
  assert.equal(log, ['#1 add a']);
  // A restart builds the controller afresh (as after a failure).
  h.host.stop('controller.listening');
  h.host.spawn(listening(factory, log, 2));
  await h.settle();
  await c.must('api.create', { target: t.cm(), object: cm('b') });
  await h.settle();
  assert.equal(log, ['#1 add a', '#2 add a', '#2 add b']);
  assert.is(chartContext().informers['core/configmaps']!.subscribers, 1);
  assert.is(calls.filter((x) => x.type === 'api.watch').length, 1, 'the restart re-used the shared watch');
});

test.run();
