/**
 * ControllerRevisions with the real kubectl: the StatefulSet and DaemonSet controllers
 * write one per template (numbered, controlled by the set), `kubectl get controllerrevisions`
 * prints them, and `kubectl rollout history` / `rollout undo` work for both kinds.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { must, startCluster, type Cluster } from './cluster.ts';
import { eventually } from '../helpers/wait.ts';

let c: Cluster;
test.before(async () => {
  c = await startCluster({ controllers: 'statefulset,daemonset' });
});
test.after(async () => c.stop());


const manifest = (kind: 'StatefulSet' | 'DaemonSet', name: string, image: string) => `apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}}
spec:
  ${kind === 'StatefulSet' ? 'serviceName: db\n  replicas: 1\n  ' : ''}selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: app, image: "${image}"}]
`;

const revisions = async (name: string) =>
  must(await c.kubectl(['get', 'controllerrevisions', '-l', `app=${name}`, '--no-headers']), 'get controllerrevisions').trim().split('\n').filter(Boolean);
const imageOf = async (resource: string) => must(await c.kubectl(['get', resource, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'get image');

for (const [kind, resource, short] of [['StatefulSet', 'statefulset', 'db'], ['DaemonSet', 'daemonset', 'agent']] as const) {
  test(`${kind}: a revision per template, rollout history and rollout undo`, async () => {
    must(await c.kubectl(['apply', '-f', '-'], manifest(kind, short, 'nginx:1.26')), 'apply v1');
    await eventually(async () => (await revisions(short)).length === 1, { what: 'the first revision', timeoutMs: 10_000 });
    const [first] = await revisions(short);
    assert.match(first!, new RegExp(`^${short}-\\S+\\s+${resource}\\.apps/${short}\\s+1\\s+\\S+$`));
    must(await c.kubectl(['set', 'image', `${resource}/${short}`, 'app=nginx:1.27']), 'set image');
    await eventually(async () => (await revisions(short)).length === 2, { what: 'the second revision', timeoutMs: 10_000 });
    const history = must(await c.kubectl(['rollout', 'history', `${resource}/${short}`]), 'rollout history');
    assert.match(history, new RegExp(`${resource}\\.apps/${short}\\s*\\nREVISION\\s+CHANGE-CAUSE\\n1\\s+<none>\\n2\\s+<none>`));
    const detail = must(await c.kubectl(['rollout', 'history', `${resource}/${short}`, '--revision=1']), 'rollout history --revision');
    assert.match(detail, /Image:\s+nginx:1\.26/);
    assert.match(must(await c.kubectl(['rollout', 'undo', `${resource}/${short}`]), 'rollout undo'), `${resource}.apps/${short} rolled back`);
    assert.is(await imageOf(`${resource}/${short}`), 'nginx:1.26');
    // The template rolled back to is the same revision, now numbered 3.
    await eventually(async () => {
      const out = must(await c.kubectl(['rollout', 'history', `${resource}/${short}`]), 'rollout history');
      return /\n2\s+<none>\n3\s+<none>/.test(out);
    }, { what: 'revision 1 renumbered 3', timeoutMs: 10_000 });
    assert.is((await revisions(short)).length, 2);
  });
}

test.run();
