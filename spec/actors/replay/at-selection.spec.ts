/**
 * `replay --at SEQ --actor X` shows the state the whole recorded run had at SEQ, whichever
 * actors are selected: a replay of a selection used to run only the selected actors (and
 * their informer factory), whose sends alone paced the recorded turns, so a controller's
 * promise continuations interleaved with its inputs otherwise than live and it parted from
 * the log, without the user being told.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultRegistry } from '../../../actors/replay/builtins.ts';
import { loadLogs } from '../../../actors/replay/merge.ts';
import { runReplay } from '../../../actors/replay/replayer.ts';
import { replay } from '../../../cli/replay.ts';
import { GOLDEN_LOG } from '../../fixtures/golden/scenario.ts';

const { entries, header } = loadLogs([GOLDEN_LOG]);

test('one controller selected with a position: no divergence up to it, its requests in their recorded order', async () => {
  const createPod = entries.find((e) => e.kind === 'msg' && e.from === 'controller.replicaset' && e.type === 'api.create' && JSON.stringify(e.payload).includes('"resource":"pods"'));
  assert.ok(createPod, 'the ReplicaSet controller creates pods');
  // Past the ReplicaSet controller's pod creations of the rollout (the first one that diverged was near seq 1658).
  const upTo = Math.max(createPod.i, 1700);
  const r = await runReplay(entries, { registry: defaultRegistry(), header, upTo, select: (a) => a === 'controller.replicaset' });
  assert.equal(r.divergences, []);
  assert.ok(r.matched > 0);
});

test('kubeactor replay --at the last checkpoint --actor controller.deployment: the recorded checkpoint, no divergence', async () => {
  const checkpoint = entries.findLast((e) => e.kind === 'snapshot' && e.actor === 'controller.deployment');
  assert.ok(checkpoint && checkpoint.kind === 'snapshot', 'the golden log ends with checkpoints');
  const recorded = checkpoint.snapshot as { value: unknown; context: { waiting: number; syncs: number } };
  const out: string[] = [], err: string[] = [];
  const code = await replay([GOLDEN_LOG, '--at', String(checkpoint.i), '--actor', 'controller.deployment', '--json'], { out: (l) => out.push(l), err: (l) => err.push(l) });
  assert.equal(err, []);
  assert.is(code, 0);
  assert.is(out.length, 1);
  const view = JSON.parse(out[0]!) as { address: string; value: unknown; context: { waiting: number; syncs: number } };
  assert.is(view.address, 'controller.deployment');
  assert.equal(view.value, recorded.value);
  assert.equal([view.context.waiting, view.context.syncs], [recorded.context.waiting, recorded.context.syncs]);
});

test.run();
