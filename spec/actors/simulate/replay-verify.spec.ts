/**
 * A simulation's log replays exactly: `kubeactor replay --verify` rebuilds every recorded
 * actor and finds no divergence, without faults and with the faults that leave the store as
 * the replay's memory store has it (message delays, reply timeouts, partitions, stale
 * informers, crashes of a component), and with slow and failed kv writes and restarts of the
 * kv and the apiserver (the kv is then skipped, its replies fed as recorded), lost watch
 * batches, skewed kubelet clocks, and kubelets gone silent under kv faults. Short runs (2
 * virtual minutes, 3 nodes) from fixed seeds.
 *
 * What it guards: the operator and the sim runtime are not replayed, so the simulation makes
 * them act only at idle points a replay can see (actors/simulate/replayable.ts), and the
 * faulty bus hands a request that passes the inner bus's own promise; each of these once made
 * a fault-free log diverge (seed 1: 5 divergences, then 2); and the host's restart timer is
 * its own, not credited to the first actor acting in it (a crash's log diverged so); and a
 * faulty kv, which is not replayed, answers at idle (a kv-fail log diverged: the deployment
 * controller synced once more than live, its `waiting` one higher); and a replayed actor the
 * log shows failed is down until its next start, the host answering what reaches it (a replayed
 * apiserver answered a kubelet while live it was restarting). Lost watch batches (seed 1): a
 * timer's entry took the turn of the drain its callback queued, so the replay fed the drain
 * before the callback's microtasks and an apiserver list came out one write late; a pod's exit
 * reached it from the sim's microtask; a kubelet that relisted started a pod from a continuation
 * and the replay fed the pod's report before it listened. Clock skew (seed 1): the replay's
 * kubelet clock had no skew (the log now has `clock` entries). Silent kubelets under kv faults
 * (seed 4): a stopped kubelet still wrote a pod's status, which its replay never did. Every
 * kind densely (seed 8, 10 minutes): a controller's send the faulty bus held queued no drain,
 * but the replay fed the next turn — a request's timeout, from the event loop — as its drain,
 * before the controller's continuation, which then stamped its status a second late. Every
 * kind in a short run (seed 2): a kubelet silenced and brought back is a new spawn with fresh
 * random and id streams, but its replay carried the old incarnation's random stream over, so a
 * retried pod list waited 1.45 s instead of 1.09 s (its back-off jitter) and the kubelet's timer
 * fired late. Delays with silenced kubelets (seed 6): the faulty bus held an apiserver watch batch
 * for a kubelet and released it after the kubelet was switched off; no one got it and the log did
 * not have it, but the replayed apiserver had sent it while the kubelet was still on (an extra
 * ADDED in that watch's stream; the log now keeps it, marked lost). Every kind every 20 s (seed 9,
 * 10 minutes): a message the faulty bus lost is logged when it is sent, so one lost between a
 * controller's send and the drain that send queued opened the drain's turn; the replay took the
 * turn for one the event loop started, fed it at idle, and the apiserver answered a watch one
 * event early (resourceVersion 320, not 321). Longer runs with partitions: replay-verify-partitions.spec.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate, type SimulateResult } from '../../../actors/simulate/harness.ts';
import { FAULT_KINDS, type FaultKind } from '../../../machines/simulate/faults.ts';
import { replay } from '../../../cli/replay.ts';
import { readLog } from '../../../actors/record/reader.ts';

/** Seeds whose short runs diverged before the fix each test guards (see the file's comment). */
const SEED = { watchDrop: 1, clockSkew: 1, silentKv: 4, heldSend: 8, respawn: 2, heldToGone: 6, lostOpensDrain: 9 };

const dir = mkdtempSync(join(tmpdir(), 'kubeactor-simulate-verify-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A short run by default; `run` overrides its length and fault gap. */
async function recordAndVerify(seed: number, faults: readonly FaultKind[], file: string, run: { durationMs: number; convergeWithinMs: number; meanGapMs: number } = { durationMs: 120_000, convergeWithinMs: 60_000, meanGapMs: 15_000 }): Promise<{ code: number; out: string; delayed: number; lost: number; kvSlowed: number; kvFailed: number; faults: SimulateResult['faults'] }> {
  const r = await simulate({ seed, ...run, nodes: 3, faults, record: join(dir, file) });
  assert.is(r.violation, null, `seed ${seed}: ${r.violation?.invariant}: ${r.violation?.message}`);
  const out: string[] = [];
  const code = await replay([join(dir, file), '--verify'], { out: (l) => void out.push(l), err: (l) => void out.push(l) });
  return { code, out: out.join('\n'), delayed: r.counts.delayed, lost: r.counts.lost, kvSlowed: r.counts.kvSlowed, kvFailed: r.counts.kvFailed, faults: r.faults };
}

test('a fault-free simulation log verifies with 0 divergences', async () => {
  const v = await recordAndVerify(1, [], 'none.log');
  assert.match(v.out, /; 0 skipped; 0 divergence\(s\)/);
  assert.is(v.code, 0, v.out);
});

test('with message delays, reply timeouts, partitions, stale informers and crashes, the log verifies with 0 divergences', async () => {
  const v = await recordAndVerify(4, ['delay', 'timeout', 'partition', 'stale-informer', 'crash'], 'faults.log');
  assert.ok(v.delayed > 0 && v.lost > 0, `faults were injected: ${v.delayed} delayed, ${v.lost} lost`);
  assert.match(v.out, /; 0 skipped; 0 divergence\(s\)/);
  assert.is(v.code, 0, v.out);
});

test('with slow and failed kv writes and restarts of the kv and the apiserver, the log verifies with 0 divergences (the kv itself is skipped)', async () => {
  const v = await recordAndVerify(3, ['kv-fail', 'kv-slow', 'kv-restart', 'apiserver-restart'], 'kv.log');
  assert.ok(v.kvSlowed > 0 && v.kvFailed > 0, `faults were injected: ${v.kvSlowed} slowed, ${v.kvFailed} failed`);
  assert.ok((v.faults['apiserver-restart'] ?? 0) > 0 && (v.faults['kv-restart'] ?? 0) > 0, `restarts: ${JSON.stringify(v.faults)}`);
  assert.match(v.out, /skipped kv: recorded with simulated storage faults/);
  assert.match(v.out, /; 1 skipped; 0 divergence\(s\)/);
  assert.is(v.code, 0, v.out);
});

test('with lost watch batches (relisting informers and kubelets), the log verifies with 0 divergences', async () => {
  const v = await recordAndVerify(SEED.watchDrop, ['watch-drop'], 'watch-drop.log');
  assert.ok(v.lost > 0, `watch batches were lost: ${v.lost}`);
  assert.match(v.out, /; 0 skipped; 0 divergence\(s\)/);
  assert.is(v.code, 0, v.out);
});

test('with skewed kubelet clocks, the log carries each skew and verifies with 0 divergences', async () => {
  const v = await recordAndVerify(SEED.clockSkew, ['clock-skew'], 'clock-skew.log');
  assert.ok((v.faults['clock-skew'] ?? 0) > 0, `skews: ${JSON.stringify(v.faults)}`);
  const skews = readLog(join(dir, 'clock-skew.log')).entries.filter((e) => e.kind === 'clock');
  assert.ok(skews.some((e) => e.kind === 'clock' && e.actor.startsWith('kubelet.') && e.offset !== 0), 'the log has the skews');
  assert.match(v.out, /; 0 skipped; 0 divergence\(s\)/);
  assert.is(v.code, 0, v.out);
});

test('with kubelets gone silent while kv writes are slow and failing, the log verifies with 0 divergences (a stopped kubelet writes nothing)', async () => {
  const v = await recordAndVerify(SEED.silentKv, ['kubelet-silent', 'kv-fail', 'kv-slow'], 'silent-kv.log');
  assert.ok((v.faults['kubelet-silent'] ?? 0) > 0 && v.kvSlowed > 0, `faults: ${JSON.stringify(v.faults)}, ${v.kvSlowed} slowed`);
  assert.match(v.out, /; 1 skipped; 0 divergence\(s\)/);
  assert.is(v.code, 0, v.out);
});

test('with every fault kind densely (a send the faulty bus holds queues no drain), the log verifies with 0 divergences', async () => {
  // No short run found holds a controller's send right before a request's timeout: this is the
  // 10-minute run that diverged (the replay fed the timeout's turn as the held send's drain).
  const v = await recordAndVerify(SEED.heldSend, FAULT_KINDS, 'held-send.log', { durationMs: 600_000, convergeWithinMs: 300_000, meanGapMs: 30_000 });
  assert.ok(v.delayed > 0 && (v.faults.timeout ?? 0) > 0, `faults: ${JSON.stringify(v.faults)}, ${v.delayed} delayed`);
  assert.match(v.out, /; 1 skipped; 0 divergence\(s\)/);
  assert.is(v.code, 0, v.out);
});

test('with every fault kind in a short run (a silenced kubelet comes back with fresh random streams), the log verifies with 0 divergences', async () => {
  const v = await recordAndVerify(SEED.respawn, FAULT_KINDS, 'respawn.log');
  const entries = readLog(join(dir, 'respawn.log')).entries;
  const stopped = new Set<string>();
  let respawned = false;
  for (const e of entries) {
    if (e.kind === 'stop' && e.address.startsWith('kubelet.')) stopped.add(e.address);
    if (e.kind === 'start' && stopped.has(e.address)) respawned = true;
  }
  assert.ok(respawned, `a kubelet was stopped and started again: ${JSON.stringify(v.faults)}`);
  assert.match(v.out, /; 1 skipped; 0 divergence\(s\)/);
  assert.is(v.code, 0, v.out);
});

test('with delays and kubelets switched off, a batch held past its kubelet\'s stop is in the log as lost and the log verifies with 0 divergences', async () => {
  // Four minutes with a fault every 10 s: since kubelets follow their Node with an informer (and
  // no longer GET it every 10 s), no 2-minute run of the first 30 seeds holds a batch that long.
  const v = await recordAndVerify(SEED.heldToGone, ['delay', 'partition', 'kubelet-silent'], 'held-to-gone.log', { durationMs: 240_000, convergeWithinMs: 60_000, meanGapMs: 10_000 });
  const lost = readLog(join(dir, 'held-to-gone.log')).entries.filter((e) => e.kind === 'msg' && e.lost === true);
  // No fault lost anything here: what the log has as lost was held until its receiver had gone.
  assert.is(v.lost, 0);
  assert.ok(lost.some((e) => e.kind === 'msg' && e.type === 'api.watch-events' && e.to.startsWith('kubelet.')), `a watch batch to a stopped kubelet: ${JSON.stringify(v.faults)}`);
  assert.match(v.out, /; 0 skipped; 0 divergence\(s\)/);
  assert.is(v.code, 0, v.out);
});

test('with every fault kind every 20 s, a lost message that opens a drain\'s turn still paces it as the drain, and the log verifies with 0 divergences', async () => {
  // No short run found loses a message between a send and the drain it queued: this is the
  // 10-minute run that diverged (2.5 s in: the replay fed the drain once the loop idled, and the
  // apiserver answered a watch with resourceVersion 320, not 321).
  const v = await recordAndVerify(SEED.lostOpensDrain, FAULT_KINDS, 'lost-drain.log', { durationMs: 600_000, convergeWithinMs: 300_000, meanGapMs: 20_000 });
  const entries = readLog(join(dir, 'lost-drain.log')).entries;
  const opensTurn = entries.some((e, i) => e.kind === 'msg' && e.lost === true && entries[i + 1]?.kind === 'msg' && entries[i + 1]!.turn === e.turn && (i === 0 || entries[i - 1]!.turn !== e.turn));
  assert.ok(opensTurn, 'a lost message opens a turn that delivers');
  assert.match(v.out, /; 1 skipped; 0 divergence\(s\)/);
  assert.is(v.code, 0, v.out);
});

test.run();
