/**
 * PodTemplate, NetworkPolicy, CSIDriver and CSINode with the real kubectl: applied,
 * defaulted, printed with upstream's columns, and bad ones refused with upstream's causes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { must, startCluster, type Cluster } from './cluster.ts';

let c: Cluster;
test.before(async () => {
  c = await startCluster();
});
test.after(async () => c.stop());

const lines = (s: string) => s.trim().split('\n');

test('NetworkPolicy: applied, defaulted, printed; a bad port and an empty peer are refused', async () => {
  const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web' }, spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 80 }] }] } };
  must(await c.kubectl(['apply', '-f', '-'], JSON.stringify(np)), 'apply netpol');
  const got = lines(must(await c.kubectl(['get', 'netpol']), 'get netpol'));
  assert.match(got[0]!, /^NAME\s+POD-SELECTOR\s+AGE$/);
  assert.match(got[1]!, /^web\s+app=web\s+\S+$/);
  const stored = JSON.parse(must(await c.kubectl(['get', 'netpol', 'web', '-o', 'json']), 'get json'));
  assert.equal(stored.spec.policyTypes, ['Ingress']);
  assert.is(stored.spec.ingress[0].ports[0].protocol, 'TCP');
  const bad = { ...np, metadata: { name: 'bad' }, spec: { podSelector: {}, ingress: [{ from: [{}], ports: [{ port: 70000, protocol: 'ICMP' }] }] } };
  const r = await c.kubectl(['apply', '-f', '-'], JSON.stringify(bad));
  assert.is.not(r.code, 0);
  assert.match(r.stderr, 'The NetworkPolicy "bad" is invalid');
  assert.match(r.stderr, 'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"');
  assert.match(r.stderr, 'spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive');
  assert.match(r.stderr, 'spec.ingress[0].from[0]: Required value: must specify a peer');
});

test('CSIDriver and CSINode: defaulted and printed with upstream columns', async () => {
  must(await c.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: 'hostpath.csi.k8s.io' }, spec: { podInfoOnMount: true } })), 'apply csidriver');
  const d = lines(must(await c.kubectl(['get', 'csidrivers']), 'get csidrivers'));
  assert.match(d[0]!, /^NAME\s+ATTACHREQUIRED\s+PODINFOONMOUNT\s+STORAGECAPACITY\s+TOKENREQUESTS\s+REQUIRESREPUBLISH\s+MODES\s+AGE$/);
  assert.match(d[1]!, /^hostpath\.csi\.k8s\.io\s+true\s+true\s+false\s+<unset>\s+false\s+Persistent\s+\S+$/);
  must(await c.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: 'node-1' }, spec: { drivers: [{ name: 'hostpath.csi.k8s.io', nodeID: 'node-1' }] } })), 'apply csinode');
  const n = lines(must(await c.kubectl(['get', 'csinodes']), 'get csinodes'));
  assert.match(n[0]!, /^NAME\s+DRIVERS\s+AGE$/);
  assert.match(n[1]!, /^node-1\s+1\s+\S+$/);
  const dup = await c.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'CSINode', metadata: { name: 'node-2' }, spec: { drivers: [{ name: 'a.example.com', nodeID: 'x' }, { name: 'a.example.com', nodeID: '' }] } }));
  assert.match(dup.stderr, 'spec.drivers[1].name: Duplicate value: "a.example.com"');
  assert.match(dup.stderr, 'spec.drivers[1].nodeID: Required value: nodeID of the driver must be provided');
});

test('PodTemplate: applied and printed', async () => {
  const pt = { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'tpl' }, template: { metadata: { labels: { app: 'tpl' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } };
  must(await c.kubectl(['apply', '-f', '-'], JSON.stringify(pt)), 'apply podtemplate');
  const got = lines(must(await c.kubectl(['get', 'podtemplates']), 'get podtemplates'));
  assert.match(got[0]!, /^NAME\s+CONTAINERS\s+IMAGES\s+POD LABELS$/);
  assert.match(got[1]!, /^tpl\s+app\s+nginx:1\.27\s+app=tpl$/);
});

test.run();
