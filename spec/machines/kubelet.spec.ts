import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor } from 'xstate';
import { kubeletMachine } from '../../machines/kubelet/chart.ts';
import { microTime } from '../../api/time.ts';
import { initialNode, nodeConditions, nodeLease, nodeStatus, statusChanged, type NodeFacts } from '../../machines/kubelet/node.ts';
import { Ipv4Range, parseCidr, subnet, subnetIndex } from '../../machines/kubelet/cidr.ts';
import { VirtualClock, VIRTUAL_EPOCH, settle } from '../../actors/clock/virtual.ts';

function harness(opts: { registerFails?: number; leaseFails?: number } = {}) {
  const log: string[] = [];
  const clock = new VirtualClock();
  let registers = 0;
  let leases = 0;
  const at = () => (clock.now() - VIRTUAL_EPOCH) / 1000;
  const machine = kubeletMachine.provide({
    actions: {
      startPods: () => log.push('startPods'),
      stopPods: () => log.push('stopPods'),
      onWatch: (_, p) => log.push(`watch ${p.event.type}`),
      onLogs: (_, p) => log.push(`logs ${p.event.type}`),
      // The effects answer on a later microtask, as the actor layer's promises do.
      register: ({ self }) => {
        log.push(`register@${at()}`);
        const fail = ++registers <= (opts.registerFails ?? 0);
        queueMicrotask(() => self.send(fail ? { type: 'kubelet.register-failed', error: 'apiserver unavailable' } : { type: 'kubelet.registered' }));
      },
      renewLease: ({ self }) => {
        log.push(`lease@${at()}`);
        const fail = ++leases <= (opts.leaseFails ?? 0);
        queueMicrotask(() => self.send(fail ? { type: 'kubelet.lease-failed', error: 'conflict' } : { type: 'kubelet.lease-renewed' }));
      },
      syncNodeStatus: ({ self }) => {
        log.push(`status@${at()}`);
        queueMicrotask(() => self.send({ type: 'kubelet.status-synced' }));
      },
    },
  });
  const actor = createActor(machine, { clock, input: {} });
  actor.start();
  return { actor, log, clock };
}

test('chart: registers, then renews the lease every 10 s and syncs status every 10 s', async () => {
  const { actor, log, clock } = harness();
  await settle();
  assert.ok(actor.getSnapshot().matches('ready'));
  await clock.advance(20_000);
  await settle();
  assert.equal(log, ['register@0', 'startPods', 'lease@0', 'status@10', 'lease@10', 'status@20', 'lease@20']);
  actor.send({ type: 'kubelet.stop' });
  assert.is(log.at(-1), 'stopPods');
  assert.is(actor.getSnapshot().status, 'done');
});

test('chart: a failed registration backs off, doubling', async () => {
  const { actor, log, clock } = harness({ registerFails: 3 });
  for (let i = 0; i < 20; i++) {
    await clock.advance(50);
    await settle();
  }
  assert.equal(log.filter((l) => l.startsWith('register')), ['register@0', 'register@0.1', 'register@0.3', 'register@0.7']);
  assert.ok(actor.getSnapshot().matches('ready'));
  assert.is(actor.getSnapshot().context.failures, 0);
});

test('chart: a failed lease renewal retries sooner (200 ms, doubling), then back to every 10 s', async () => {
  const { log, clock } = harness({ leaseFails: 2 });
  for (let i = 0; i < 110; i++) {
    await clock.advance(100);
    await settle();
  }
  assert.equal(log.filter((l) => l.startsWith('lease')), ['lease@0', 'lease@0.2', 'lease@0.6', 'lease@10.6']);
});

test('chart: watch events and log requests are routed by name', async () => {
  const { actor, log } = harness();
  await settle();
  actor.send({ type: 'api.watch-events', from: 'apiserver', payload: { id: 'x', events: [] } });
  actor.send({ type: 'kubelet.logs', from: 'edge.http', corr: '1', payload: {} });
  assert.ok(log.includes('watch api.watch-events'));
  assert.ok(log.includes('logs kubelet.logs'));
});

const facts: NodeFacts = {
  name: 'n1',
  hostIP: '127.0.1.1',
  hostname: 'n1',
  podCIDR: '10.244.0.0/24',
  capacity: { cpu: '32', memory: '256Gi', pods: '110' },
  allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
  labels: { 'kubernetes.io/hostname': 'n1' },
  nodeInfo: {
    architecture: 'amd64', bootID: 'b', containerRuntimeVersion: 'kubeactor-sim://0.1.0', kernelVersion: 'k', kubeProxyVersion: 'v1.32.0',
    kubeletVersion: 'v1.32.0', machineID: 'm', operatingSystem: 'linux', osImage: 'o', systemUUID: 'u',
  },
  kubeletPort: 10250,
};

test('node: the registered Node carries spec.podCIDR(s), the four conditions and daemon endpoints', () => {
  const n = initialNode(facts, VIRTUAL_EPOCH);
  assert.equal(n.spec, { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] });
  assert.equal(n.status!.conditions!.map((c) => `${c.type}=${c.status}/${c.reason}`), [
    'MemoryPressure=False/KubeletHasSufficientMemory', 'DiskPressure=False/KubeletHasNoDiskPressure',
    'PIDPressure=False/KubeletHasSufficientPID', 'Ready=True/KubeletReady',
  ]);
  assert.is(n.status!.daemonEndpoints!.kubeletEndpoint!.Port, 10250);
});

test('node: heartbeats alone are not a change; transition times are kept', () => {
  const a = nodeStatus(facts, undefined, VIRTUAL_EPOCH);
  const b = nodeStatus(facts, a.conditions, VIRTUAL_EPOCH + 60_000);
  assert.not.ok(statusChanged(a, b));
  assert.is(b.conditions![3]!.lastTransitionTime, a.conditions![3]!.lastTransitionTime);
  assert.is.not(b.conditions![3]!.lastHeartbeatTime, a.conditions![3]!.lastHeartbeatTime);
  assert.ok(statusChanged(a, nodeStatus({ ...facts, hostIP: '127.0.1.9' }, a.conditions, VIRTUAL_EPOCH)));
  const flipped = nodeConditions([{ type: 'Ready', status: 'False', lastTransitionTime: 'old' }], VIRTUAL_EPOCH);
  assert.is.not(flipped[3]!.lastTransitionTime, 'old');
});

test('node: the Lease is a MicroTime renewal owned by the Node', () => {
  assert.is(microTime(VIRTUAL_EPOCH + 1500.25), '2025-01-01T00:00:01.500250Z');
  const l = nodeLease('n1', 'uid-1', 40, VIRTUAL_EPOCH);
  assert.equal(l.spec, { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2025-01-01T00:00:00.000000Z' });
  assert.is(l.metadata!.namespace, 'kube-node-lease');
  assert.is(l.metadata!.ownerReferences![0]!.uid, 'uid-1');
});

test('cidr: per-node ranges from the cluster CIDR, and back', () => {
  const c = parseCidr('10.244.0.0/16');
  assert.is(subnet(c, 24, 0), '10.244.0.0/24');
  assert.is(subnet(c, 24, 255), '10.244.255.0/24');
  assert.is(subnet(c, 24, 256), null);
  assert.is(subnetIndex(c, 24, '10.244.7.0/24'), 7);
  assert.is(subnetIndex(c, 24, '10.245.7.0/24'), null);
  assert.throws(() => parseCidr('10.244.0.0'));
});

test('cidr: pod IPs skip network, gateway and broadcast; round-robin; released IPs come back later', () => {
  const r = new Ipv4Range('10.244.3.0/29');
  assert.is(r.free, 5);
  const got = [r.allocate(), r.allocate(), r.allocate()];
  assert.equal(got, ['10.244.3.2', '10.244.3.3', '10.244.3.4']);
  r.release('10.244.3.2');
  assert.is(r.allocate(), '10.244.3.5');
  assert.is(r.allocate(), '10.244.3.6');
  assert.is(r.allocate(), '10.244.3.2');
  assert.is(r.allocate(), null);
  assert.not.ok(r.claim('10.244.3.7'));
});

test.run();
