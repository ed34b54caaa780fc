import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { start, t, pod, type Harness } from './harness.ts';
import type { ApiTarget, KubeObject } from '../../../bus/catalogue/api.ts';

let h: Harness;
test.before.each(async () => {
  h = await start();
});
test.after.each(async () => {
  await h.close();
});

const quotas = (name?: string, sub?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'resourcequotas', namespace: 'default', ...(name ? { name } : {}), ...(sub ? { subresource: sub } : {}) });
const limitranges = (): ApiTarget => ({ group: '', version: 'v1', resource: 'limitranges', namespace: 'default' });

/** A quota whose status the resource-quota controller has filled in (no controller runs here: the spec writes it). */
async function counted(name: string, hard: Record<string, string>, used: Record<string, string>): Promise<void> {
  const c = h.client();
  const made = await c.must('api.create', { target: quotas(), object: { metadata: { name }, spec: { hard } } });
  await c.must('api.update', { target: quotas(name, 'status'), object: { ...made.object, status: { hard, used } } });
}

const withCpu = (name: string, cpu: string): KubeObject => pod(name, { spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu } } }] } });

test('concurrent creates cannot both take the last room: exactly the quota\'s worth pass, and status.used says so', async () => {
  await counted('q', { pods: '3' }, { pods: '0' });
  const c = h.client();
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => c.call('api.create', { target: t.pods(), object: pod(`p${i}`) })));
  const passed = results.filter((r) => r.ok).length;
  assert.is(passed, 3);
  for (const r of results.filter((r) => !r.ok)) {
    assert.is(!r.ok && r.status.code, 403);
    assert.match(!r.ok ? r.status.message : '', /^pods "p\d" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3$/);
  }
  const q = await c.must('api.get', { target: quotas('q') });
  assert.equal((q as KubeObject).status, { hard: { pods: '3' }, used: { pods: '3' } });
});

test('the upstream message for compute; dryRun checks without charging; a missing request is refused', async () => {
  await counted('compute', { 'requests.cpu': '2' }, { 'requests.cpu': '1' });
  const c = h.client();
  const over = await c.call('api.create', { target: t.pods(), object: withCpu('x', '2') });
  assert.is(!over.ok && over.status.message, 'pods "x" is forbidden: exceeded quota: compute, requested: requests.cpu=2, used: requests.cpu=1, limited: requests.cpu=2');
  await c.must('api.create', { target: t.pods(), object: withCpu('dry', '1'), dryRun: true });
  assert.equal(((await c.must('api.get', { target: quotas('compute') })) as { status?: { used?: unknown } }).status?.used, { 'requests.cpu': '1' });
  const bare = await c.call('api.create', { target: t.pods(), object: pod('bare') });
  assert.is(!bare.ok && bare.status.message, 'pods "bare" is forbidden: failed quota: compute: must specify requests.cpu for: app');
  await c.must('api.create', { target: t.pods(), object: withCpu('fits', '500m') });
  assert.equal(((await c.must('api.get', { target: quotas('compute') })) as { status?: { used?: unknown } }).status?.used, { 'requests.cpu': '1500m' });
});

test('a Service\'s update is charged what it adds (ClusterIP to LoadBalancer)', async () => {
  await counted('lb', { 'services.loadbalancers': '0' }, { 'services.loadbalancers': '0' });
  const c = h.client();
  const svc = await c.must('api.create', { target: t.svc(), object: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } });
  const up = await c.call('api.update', { target: t.svc('default', 'web'), object: { ...svc.object, spec: { ...(svc.object.spec as object), type: 'LoadBalancer' } } });
  assert.is(!up.ok && up.status.message, 'services "web" is forbidden: exceeded quota: lb, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0');
});

test('LimitRanger: defaults land in the created pod, min and max refuse', async () => {
  const c = h.client();
  await c.must('api.create', { target: limitranges(), object: { metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' }, default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '200m' } }] } } });
  await h.settle();
  const made = await c.must('api.create', { target: t.pods(), object: pod('d') });
  const spec = made.object.spec as { containers: { resources?: unknown }[] };
  assert.equal(spec.containers[0]?.resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '200m', memory: '128Mi' } });
  assert.is(made.object.metadata?.annotations?.['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app');
  const small = await c.call('api.create', { target: t.pods(), object: withCpu('small', '50m') });
  assert.is(!small.ok && small.status.code, 403);
  assert.is(!small.ok && small.status.message, 'pods "small" is forbidden: minimum cpu usage per Container is 100m, but request is 50m');
  const big = await c.call('api.create', { target: t.pods(), object: pod('big', { spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { limits: { cpu: '2' } } }] } }) });
  assert.is(!big.ok && big.status.message, 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
});

test.run();
