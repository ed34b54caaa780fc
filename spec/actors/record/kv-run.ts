import { setup } from 'xstate';
import { VirtualClock } from '../../../actors/clock/virtual.ts';
import { ActorHost } from '../../../actors/host.ts';
import { kvActor } from '../../../actors/kv/actor.ts';
import { MemoryKv } from '../../../actors/kv/memory.ts';
import { startRecorder, type RecorderOptions } from '../../../actors/record/recorder.ts';
import type { Inspect } from '../../../actors/lifecycle.ts';
import { InProcessBus } from '../../../bus/inprocess.ts';

/** A tiny chart that counts pings, to have a non-control-plane actor around. */
export const counter = setup({ types: {} as { context: { n: number } } }).createMachine({
  id: 'counter',
  context: { n: 0 },
  on: { 'sys.ping': { actions: ({ context }) => void context.n++ } },
});

/**
 * A kv actor on a memory store with the apiserver's address played by the spec: writes,
 * reads, a watch, a Secret, and the kv's 30 s watcher probe in virtual time.
 */
export async function runKv(file: string, extra: Partial<RecorderOptions> = {}, inspectFor?: (a: string) => Inspect | undefined) {
  const clock = new VirtualClock();
  const bus = new InProcessBus({ clock });
  const host = new ActorHost({ bus, clock, seed: 42, ...(inspectFor ? { inspectFor } : {}) });
  const rec = startRecorder({ bus, host, clock, file, clusterId: 'spec', seed: 42, ...extra });
  host.spawn(kvActor(new MemoryKv()));
  host.spawn({ address: 'worker.1', create: () => ({ machine: counter }) });
  const api = bus.register('apiserver', (env) => {
    if (env.type === 'sys.ping' && env.corr) api.reply(env, { ok: true, value: { address: 'apiserver', n: 0 } } as never);
  });
  await api.request('kv', 'kv.watch', { id: 'w1', prefix: '/registry/', afterRevision: 0 });
  for (let k = 0; k < 5; k++) {
    await api.request('kv', 'kv.txn', { ops: [{ op: 'put', key: `/registry/pods/p${k}`, value: { kind: 'Pod', metadata: { name: `p${k}` } } }] });
  }
  await api.request('kv', 'kv.txn', { ops: [{ op: 'put', key: '/registry/secrets/s', value: { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's' }, data: { password: 'aHVudGVyMg==' } } }] });
  await api.request('kv', 'kv.range', { prefix: '/registry/pods/' });
  api.send('worker.1', 'sys.ping', { n: 1 });
  await clock.advance(65_000);
  await api.request('kv', 'kv.status', {});
  await clock.advance(0);
  host.stopAll();
  api.close();
  await rec.stop();
  await bus.close();
  return { rec, host, bus };
}
