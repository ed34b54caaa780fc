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
import type { ControllerDefinition } from '../../../actors/controllers/framework.ts';
import { ApiClient, TerminalError, unwrap } from '../../../actors/client/index.ts';

const configmaps = { group: '', version: 'v1', resource: 'configmaps' };

test('a sync that returns or throws a TerminalError is logged once and not retried; a plain error is retried', async () => {
  const clock = new VirtualClock();
  const bus = new InProcessBus({ clock });
  const log = memoryLogger();
  const host = new ActorHost({ bus, clock, seed: 7, logger: log });
  const backend = new MemoryKv();
  const core = startControlPlaneCore({ bus, host, backend });
  await core.ready();

  const calls = new Map<string, number>();
  const def: ControllerDefinition = {
    name: 'terminal-spec',
    component: 'terminal-spec',
    enabledByDefault: false,
    create(cc) {
      cc.informer({ target: configmaps, handlers: { add: (o) => cc.enqueue(`${o.metadata?.namespace}/${o.metadata?.name}`) } });
      return {
        async sync(key) {
          calls.set(key, (calls.get(key) ?? 0) + 1);
          if (key.endsWith('/returns')) return new TerminalError('the spec cannot work');
          if (key.endsWith('/throws')) throw new TerminalError('forbidden for good');
          if (key.endsWith('/flaky')) throw new Error('try again');
        },
      };
    },
  };
  host.spawn(controllerActor(def, { factory: informerFactory(host) }));
  const api = new ApiClient(bus.register('spec', () => {}));
  for (const name of ['returns', 'throws', 'flaky']) {
    unwrap(await api.create({ ...configmaps, namespace: 'default' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }));
  }
  for (let i = 0; i < 20; i++) {
    await clock.advance(50);
    for (let j = 0; j < 5; j++) await settle();
  }

  assert.is(calls.get('default/returns'), 1);
  assert.is(calls.get('default/throws'), 1);
  assert.ok((calls.get('default/flaky') ?? 0) > 3, `flaky synced ${calls.get('default/flaky')} times`);
  const terminal = log.records.filter((r) => r.msg === 'sync failed terminally; not retrying').map((r) => r.fields.key);
  assert.equal(terminal.sort(), ['default/returns', 'default/throws']);
  assert.ok(log.records.some((r) => r.msg === 'sync failed; retrying' && r.fields.key === 'default/flaky'));

  core.stop();
  await bus.close();
  await backend.close();
});

test.run();
