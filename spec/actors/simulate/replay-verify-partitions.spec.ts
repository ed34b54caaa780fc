/**
 * Simulation logs with partitions, lost watch batches, delays and silent kubelets replay
 * exactly (20 virtual minutes, 3 nodes, an episode of each kind every ~60 s). Each seed here
 * diverged before the fix it guards (`simulate --seed N --duration 20m --nodes 3 --fault-gap
 * 60s --converge-within 10m --faults partition,watch-drop,delay,kubelet-silent`):
 *
 * - seed 6: a kubelet that relisted handed deleted pods their delete from a continuation, a
 *   turn of its own in the log, which the replay fed once the loop idled — after the kubelet's
 *   status manager had flushed the Ready=True it reconciled, where live the delete's report
 *   (Ready=False) came first. The turn is now fed when the kubelet makes the call (`pull`).
 * - seed 8: the replay queued a drain at the first send of any replayed actor after a turn, but
 *   live a drain is queued by the send of the first message it delivers; another actor's send
 *   fed a recorded reply to the deployment controller before it had asked, and its sync hung. A
 *   drain is now due when its first message is sent (or was, ahead of the log).
 * - seed 10: the apiserver pinged a kubelet that had been switched off; live the bus answered 503
 *   at once and the apiserver dropped its watches, but the replay's ping took the correlation id
 *   of the next recorded one and the apiserver pinged once more at the end.
 * - seed 12: a kubelet started a pod and handed it its delete in one run (two watch events of one
 *   batch); the replay's hearing discarded the delete made ahead when it fed the pod's start, held
 *   the Failed report, and the status manager wrote Pending.
 * - seed 13: the faulty bus decided the fate of a bookmark to a kubelet switched off and logged it
 *   lost; the replay drops a send to a stopped address and never produced it. Such a send now
 *   takes no fault: the inner bus drops it unlogged.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../../../actors/simulate/harness.ts';
import { replay } from '../../../cli/replay.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-simulate-partitions-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

for (const seed of [6, 8, 10, 12, 13]) {
  test(`seed ${seed}: the log verifies with 0 divergences`, async () => {
    const file = join(dir, `seed-${seed}.log`);
    const r = await simulate({ seed, durationMs: 1_200_000, convergeWithinMs: 600_000, nodes: 3, meanGapMs: 60_000, faults: ['partition', 'watch-drop', 'delay', 'kubelet-silent'], record: file });
    assert.is(r.violation, null, `${r.violation?.invariant}: ${r.violation?.message}`);
    assert.ok((r.faults.partition ?? 0) > 0 && (r.faults['kubelet-silent'] ?? 0) > 0, JSON.stringify(r.faults));
    const out: string[] = [];
    const code = await replay([file, '--verify'], { out: (l) => void out.push(l), err: (l) => void out.push(l) });
    assert.match(out.join('\n'), /; 0 skipped; 0 divergence\(s\)/);
    assert.is(code, 0, out.join('\n'));
  });
}

test.run();
