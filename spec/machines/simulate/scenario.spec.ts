import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseActions, parseRef } from '../../../machines/simulate/scenario.ts';
import { CYCLE_MS, defaultScenario } from '../../../machines/simulate/default-scenario.ts';

test('an actions file: times, verbs, comments, and a stable order by time', () => {
  const a = parseActions(`
    # drain a node, then scale
    10m  drain node-3
    90s  scale deployment/web 5      # up
    10m  uncordon node-3
    1h30m rollout prod/deployment/api app=nginx:1.28
    2m   delete job/batch
    3m   apply extra.yaml
  `);
  assert.equal(a.map((x) => x.at), [90_000, 120_000, 180_000, 600_000, 600_000, 5_400_000]);
  assert.equal(a[0]!.action, { verb: 'scale', ref: { kind: 'deployment', namespace: 'default', name: 'web' }, replicas: 5 });
  assert.equal(a[3]!.action, { verb: 'drain', node: 'node-3' });
  assert.equal(a[4]!.action, { verb: 'uncordon', node: 'node-3' });
  assert.equal(a[5]!.action, { verb: 'rollout', ref: { kind: 'deployment', namespace: 'prod', name: 'api' }, container: 'app', image: 'nginx:1.28' });
});

test('a bad line is refused with its line number and what is wrong', () => {
  assert.throws(() => parseActions('5m scale deployment/web'), /line 1 .*scale takes 2 argument/);
  assert.throws(() => parseActions('\n5x scale deployment/web 3'), /line 2 .*"5x" is not a duration/);
  assert.throws(() => parseActions('5m scale deployment/web -1'), /whole number/);
  assert.throws(() => parseActions('5m explode node-1'), /unknown action "explode"/);
  assert.throws(() => parseActions('5m rollout deployment/web nginx'), /container=image/);
  assert.throws(() => parseRef('web'), /kind\/name/);
});

test('the default scenario: every kind the invariants cover, and cycles only within the fault window', () => {
  const s = defaultScenario(2 * CYCLE_MS + 5 * 60_000, 10);
  assert.equal(s.manifests.map((m) => m.kind), ['Deployment', 'Deployment', 'PodDisruptionBudget', 'Service', 'StatefulSet', 'DaemonSet', 'Job']);
  assert.ok(s.actions.every((a) => a.at < 2 * CYCLE_MS + 5 * 60_000));
  // Each cycle drains the next node.
  const drained = s.actions.flatMap((a) => (a.action.verb === 'drain' ? [a.action.node] : []));
  assert.equal(drained, ['node-1', 'node-2']);
  assert.ok(s.files['batch.yaml']);
});

test.run();
