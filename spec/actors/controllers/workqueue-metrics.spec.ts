/**
 * client-go's workqueue metrics from a controller run in virtual time: the reconcile chart's
 * adds, gets, dones and retries land on the cluster's registry under component-base's names,
 * labelled with kube-controller-manager's queue name, and every duration is exact because it
 * is read from the injected clock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InProcessBus } from '../../../bus/inprocess.ts';
import { ActorHost } from '../../../actors/host.ts';
import { VirtualClock, settle } from '../../../actors/clock/virtual.ts';
import { memoryLogger } from '../../../actors/logger.ts';
import { MemoryKv } from '../../../actors/kv/memory.ts';
import { startControlPlaneCore } from '../../../actors/apiserver/start.ts';
import { informerFactory } from '../../../actors/informers/index.ts';
import { controllerActor } from '../../../actors/controllers/actor.ts';
import { queueName } from '../../../actors/controllers/workqueue-metrics.ts';
import type { ControllerDefinition } from '../../../actors/controllers/framework.ts';
import { ApiClient, unwrap } from '../../../actors/client/index.ts';
import { parseFamilies, parseSamples, valueOf } from '../../helpers/prometheus.ts';

const configmaps = { group: '', version: 'v1', resource: 'configmaps' };

test('kube-controller-manager\'s queue names', () => {
  assert.is(queueName('replicaset'), 'replicaset');
  assert.is(queueName('deployment'), 'deployment');
  assert.is(queueName('endpoint'), 'endpoint');
  assert.is(queueName('endpointslice'), 'endpoint_slice');
  assert.is(queueName('garbage-collector'), 'garbage_collector_attempt_to_delete');
  assert.is(queueName('replicationcontroller'), 'replicationmanager');
  assert.is(queueName('ttl-after-finished'), 'ttl_jobs_to_delete');
});

test('adds, depth, retries and exact queue, work and in-progress durations on the injected clock', async () => {
  const clock = new VirtualClock();
  const bus = new InProcessBus({ clock });
  const host = new ActorHost({ bus, clock, seed: 7, logger: memoryLogger() });
  const backend = new MemoryKv();
  const core = startControlPlaneCore({ bus, host, backend });
  await core.ready();
  const api = new ApiClient(bus.register('spec', () => {}));
  for (const name of ['a', 'b']) unwrap(await api.create({ ...configmaps, namespace: 'default' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }));

  let bFailed = false;
  const def: ControllerDefinition = {
    name: 'endpointslice',
    component: 'workqueue-spec',
    enabledByDefault: false,
    create(cc) {
      cc.informer({ target: configmaps, handlers: { add: (o) => cc.enqueue(`${o.metadata?.namespace}/${o.metadata?.name}`) } });
      return {
        async sync(key) {
          // "a" takes two seconds of (virtual) work; "b" fails once, then succeeds at once.
          if (key === 'default/a') await new Promise<void>((r) => cc.actor.clock.setTimeout(r, 2000));
          if (key === 'default/b' && !bFailed) {
            bFailed = true;
            throw new Error('try again');
          }
        },
      };
    },
  };
  const settleAll = async () => {
    for (let j = 0; j < 10; j++) await settle();
  };
  host.spawn(controllerActor(def, { factory: informerFactory(host) }));
  await settleAll();
  const q = { name: 'endpoint_slice' };
  const scrape = () => parseSamples(host.metrics.render());

  // "a" is being synced, "b" waits behind it.
  await clock.advance(1000);
  await settleAll();
  let s = scrape();
  assert.is(valueOf(s, 'workqueue_adds_total', q), 2);
  assert.is(valueOf(s, 'workqueue_depth', q), 1);
  assert.is(valueOf(s, 'workqueue_unfinished_work_seconds', q), 1);
  assert.is(valueOf(s, 'workqueue_longest_running_processor_seconds', q), 1);

  // "a" ends at 2 s; "b" is taken after 2 s in the queue, fails, comes back after 5 ms and succeeds.
  for (let i = 0; i < 4; i++) {
    await clock.advance(500);
    await settleAll();
  }
  s = scrape();
  assert.is(valueOf(s, 'workqueue_adds_total', q), 3, 'the retry is an add too');
  assert.is(valueOf(s, 'workqueue_retries_total', q), 1);
  assert.is(valueOf(s, 'workqueue_depth', q), 0);
  assert.is(valueOf(s, 'workqueue_unfinished_work_seconds', q), 0);
  assert.is(valueOf(s, 'workqueue_longest_running_processor_seconds', q), 0);
  assert.is(valueOf(s, 'workqueue_work_duration_seconds_count', q), 3);
  assert.is(valueOf(s, 'workqueue_work_duration_seconds_sum', q), 2);
  assert.is(valueOf(s, 'workqueue_queue_duration_seconds_count', q), 3);
  assert.is(valueOf(s, 'workqueue_queue_duration_seconds_sum', q), 2, '"b" waited 2 s behind "a"; the others not at all');
  // The 2 s bucket boundary: ExponentialBuckets(10e-9, 10, 12) puts 2 s under le="10", not under le="1".
  assert.is(valueOf(s, 'workqueue_work_duration_seconds_bucket', { ...q, le: '1' }), 2);
  assert.is(valueOf(s, 'workqueue_work_duration_seconds_bucket', { ...q, le: '10' }), 3);
  assert.is(valueOf(s, 'workqueue_work_duration_seconds_bucket', { ...q, le: '+Inf' }), 3);
  const types = Object.fromEntries(parseFamilies(host.metrics.render()).filter((f) => f.name.startsWith('workqueue_')).map((f) => [f.name, f.type]));
  assert.equal(types, {
    workqueue_depth: 'gauge', workqueue_adds_total: 'counter', workqueue_queue_duration_seconds: 'histogram',
    workqueue_work_duration_seconds: 'histogram', workqueue_retries_total: 'counter',
    workqueue_unfinished_work_seconds: 'gauge', workqueue_longest_running_processor_seconds: 'gauge',
  });

  core.stop();
  await bus.close();
  await backend.close();
});

test.run();
