/**
 * Who hears whose recorded outputs in a replay (actors/replay/hearing.ts): a replayed kubelet
 * hears its pods' `report` outputs once it made what caused them — started the pod, handed it
 * its delete — whichever of the two the replay reaches first.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Hearing, START, type Heard } from '../../../actors/replay/hearing.ts';

const POD = 'pod.a';
let n = 0;
const out = (phase: string): Heard => ({ kind: 'out', n: ++n, i: n, at: 0, actor: POD, action: 'report', data: { phase } }) as Heard;

/** A hearing whose one hearer (the kubelet) writes down the phases it hears. */
function kubelet() {
  const heard: string[] = [];
  const hearing = new Hearing((_hearer, fn, o) => fn(o));
  const register = (): void => hearing.register('kubelet', POD, (o) => void heard.push((o.data as { phase: string }).phase));
  return { hearing, heard, register };
}

test('outputs fed before the hearer made their cause are held until it makes it', () => {
  const { hearing, heard, register } = kubelet();
  hearing.fed(POD, START);
  hearing.output(out('Pending'));
  hearing.fed(POD, 'delete');
  hearing.output(out('Failed'));
  assert.equal(heard, [], 'not started by the hearer yet: nothing heard');
  register();
  assert.equal(heard, ['Pending'], 'the start made: what followed it is heard, up to the delete not made yet');
  hearing.made(POD, 'delete');
  assert.equal(heard, ['Pending', 'Failed']);
});

test('a hearer that started a pod and handed it its delete in one run hears both reports when they are fed', () => {
  // Two watch events of one batch: the kubelet starts the pod and deletes it before the replay
  // feeds the pod's recorded start; the delete it made is the new incarnation's.
  const { hearing, heard, register } = kubelet();
  register();
  hearing.made(POD, 'delete');
  hearing.fed(POD, START);
  hearing.output(out('Pending'));
  hearing.fed(POD, 'delete');
  hearing.output(out('Failed'));
  assert.equal(heard, ['Pending', 'Failed'], 'the Failed report heard as it is fed, not held behind a delete already made');
});

test('a new incarnation drops what the previous one held and what its hearer made ahead for it', () => {
  const { hearing, heard, register } = kubelet();
  register();
  hearing.fed(POD, START);
  hearing.output(out('Running'));
  // The hearer hands the first incarnation a delete the replay never feeds (it stopped first).
  hearing.made(POD, 'delete');
  hearing.fed(POD, 'evict');
  hearing.output(out('held behind evict'));
  // The second incarnation: its start is fed before the hearer made it.
  hearing.fed(POD, START);
  hearing.output(out('Pending again'));
  hearing.fed(POD, 'delete');
  hearing.output(out('Failed again'));
  assert.equal(heard, ['Running']);
  register();
  assert.equal(heard, ['Running', 'Pending again'], 'the old delete made ahead does not release the new incarnation\'s');
  hearing.made(POD, 'delete');
  assert.equal(heard, ['Running', 'Pending again', 'Failed again']);
});

test.run();
