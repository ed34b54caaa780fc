import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clientLimitsFrom, kubeletLimits } from '../../cli/client-limit-flags.ts';
import { limitsOf } from '../../actors/client/limits.ts';
import { UsageError } from '../../cli/args.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
const UP = ['controller-manager', 'scheduler', 'kubelet'] as const;

test('--kube-api-qps and --kube-api-burst set each named component\'s limits; the others keep Kubernetes\' defaults', () => {
  const table = clientLimitsFrom({ 'kube-api-qps': 'controller-manager=100, scheduler=0.5,kubelet=-1', 'kube-api-burst': 'controller-manager=200' }, UP);
  assert.equal(table, { 'controller-manager': { qps: 100, burst: 200 }, scheduler: { qps: 0.5 }, kubelet: { qps: -1 } });
  assert.equal(limitsOf('controller-manager', table['controller-manager']), { qps: 100, burst: 200 });
  assert.equal(limitsOf('scheduler', table.scheduler), { qps: 0.5, burst: 100 });
  assert.equal(kubeletLimits(table), { kubeAPIQPS: -1 });
  assert.equal(limitsOf('controller-manager'), { qps: 20, burst: 30 });
  assert.equal(limitsOf('kubelet'), { qps: 50, burst: 100 });
  assert.equal(clientLimitsFrom({}, UP), {});
});

test('on `node` (kubelets only) a bare number is the kubelet\'s, as the kubelet\'s own flag', () => {
  assert.equal(kubeletLimits(clientLimitsFrom({ 'kube-api-qps': '5', 'kube-api-burst': 'kubelet=7' }, ['kubelet'])), { kubeAPIQPS: 5, kubeAPIBurst: 7 });
});

test('bad values are usage errors, before anything starts', () => {
  const bad = (values: Record<string, string>, components: readonly ('controller-manager' | 'scheduler' | 'kubelet')[] = UP) => {
    try {
      clientLimitsFrom(values, components);
    } catch (err) {
      assert.instance(err, UsageError);
      return (err as Error).message;
    }
    assert.unreachable(`accepted ${JSON.stringify(values)}`);
  };
  assert.is(bad({ 'kube-api-qps': '20' }), '--kube-api-qps takes COMPONENT=N pairs with COMPONENT one of controller-manager, scheduler, kubelet, got "20"');
  assert.is(bad({ 'kube-api-qps': 'apiserver=20' }), '--kube-api-qps takes COMPONENT=N pairs with COMPONENT one of controller-manager, scheduler, kubelet, got "apiserver=20"');
  assert.is(bad({ 'kube-api-qps': 'kubelet=fast' }), '--kube-api-qps: kubelet must be a number, got "fast"');
  assert.is(bad({ 'kube-api-burst': 'scheduler=0' }), '--kube-api-burst: scheduler must be a positive integer, got "0"');
  assert.is(bad({ 'kube-api-burst': 'scheduler=1.5' }), '--kube-api-burst: scheduler must be a positive integer, got "1.5"');
  assert.is(bad({ 'kube-api-qps': 'scheduler=3' }, ['kubelet']), '--kube-api-qps takes COMPONENT=N pairs with COMPONENT one of kubelet, got "scheduler=3"');

  const up = cli(['up', '--kube-api-burst', 'kubelet=-3']);
  assert.is(up.status, 2);
  assert.match(up.stderr, '--kube-api-burst: kubelet must be a positive integer, got "-3"');
  const node = cli(['node', '--bus', 'nats://127.0.0.1:4', '--name', 'n1', '--kube-api-qps', 'controller-manager=5']);
  assert.is(node.status, 2);
  assert.match(node.stderr, 'COMPONENT one of kubelet');
});

test('up and node document the flags in --help', () => {
  assert.match(cli(['up', '--help']).stdout, '--kube-api-qps LIST');
  assert.match(cli(['up', '--help']).stdout, '--kube-api-burst LIST');
  assert.match(cli(['node', '--help']).stdout, '--kube-api-qps N');
});

test.run();
