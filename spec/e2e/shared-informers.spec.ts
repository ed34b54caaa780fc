/**
 * The control plane as `kubeactor up` composes it (startControlPlane, then the scheduler and
 * every default controller on its host): the process opens ONE pod watch, from its shared
 * informer factory — not one per controller — and the controllers still do their work
 * through it (a Deployment gets its ReplicaSet and pods; the scheduler sees them pending).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { InProcessBus } from '../../bus/inprocess.ts';
import { startControlPlane } from '../../actors/cluster.ts';
import { startControllers } from '../../actors/controllers/index.ts';
import { startScheduler } from '../../actors/scheduler/index.ts';
import { ApiClient, targets } from '../../actors/client/index.ts';
import { INFORMERS_ADDRESS } from '../../actors/informers/index.ts';
import { silentLogger } from '../../actors/logger.ts';
import { eventually } from '../helpers/wait.ts';

test('a control plane with every controller and the scheduler opens one pod watch, from its informer factory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeactor-informers-'));
  const bus = new InProcessBus();
  const watches: { from: string; resource: string; of: string }[] = [];
  bus.tap((env) => {
    if (env.to !== 'apiserver' || env.type !== 'api.watch') return;
    const p = env.payload as { target: { resource: string; namespace?: string }; options?: { labelSelector?: string; fieldSelector?: string } };
    watches.push({ from: env.from, resource: p.target.resource, of: JSON.stringify([p.target.resource, p.target.namespace, p.options?.labelSelector, p.options?.fieldSelector]) });
  });
  const cp = await startControlPlane({ bus, storage: 'memory', dataDir: dir, logger: silentLogger });
  try {
    const scheduler = startScheduler(cp.host);
    const controllers = startControllers(cp.host);
    assert.ok(controllers.names.length >= 10, controllers.names.join(','));
    await eventually(() => scheduler.synced(), { what: 'the scheduler synced', timeoutMs: 10_000 });
    const api = new ApiClient(bus.register('spec.client', () => undefined));
    const deploy: Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
    };
    const created = await api.create(targets.deployments('default'), deploy);
    assert.ok(created.ok, JSON.stringify(created));
    const pods = await eventually(
      async () => {
        const r = await api.list(targets.pods('default'), 'app=web');
        return r.ok && r.value.items.length === 2 ? r.value.items : null;
      },
      { what: 'two pods of the Deployment', timeoutMs: 10_000 },
    );
    assert.is(pods.length, 2);
    // No nodes: the scheduler, following the same pod informer, tries both pods and finds no fit.
    await eventually(() => scheduler.stats().attempts >= 2, { what: 'the scheduler tried both pods', timeoutMs: 5000, detail: () => scheduler.stats() });
    assert.equal(watches.filter((w) => w.resource === 'pods').map((w) => w.from), [INFORMERS_ADDRESS], 'one pod watch for the process');
    assert.equal(watches.filter((w) => w.from !== INFORMERS_ADDRESS), [], 'no component watches on its own');
    // One per resource, namespace and selectors (the EndpointSlice controller's label-selected slices are their own).
    const informers = watches.map((w) => w.of);
    assert.equal(informers.length, new Set(informers).size, informers.join(', '));
    scheduler.shutdown();
    controllers.stop();
  } finally {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
