import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { addDefaultTolerations, defaultPod, defaultPullPolicy } from '../../api/defaults/pod.ts';
import { defaultService, keepAllocatedValues, needsClusterIP, portsNeedingNodePort } from '../../api/defaults/service.ts';
import { defaultDaemonSet, defaultDeployment, defaultJob, defaultStatefulSet } from '../../api/defaults/workloads.ts';
import { defaultNamespace } from '../../api/defaults/core.ts';

const pullCases: Array<[string, string]> = [
  ['nginx', 'Always'], ['nginx:latest', 'Always'], ['nginx:1.25', 'IfNotPresent'],
  ['registry:5000/app', 'Always'], ['registry:5000/app:v1', 'IfNotPresent'],
  ['nginx@sha256:abc', 'IfNotPresent'], ['nginx:latest@sha256:abc', 'Always'],
];
for (const [image, want] of pullCases) test(`imagePullPolicy for ${image} is ${want}`, () => assert.is(defaultPullPolicy(image), want));

test('pod defaults (SetDefaults_PodSpec): what decoding adds to a bare pod, before admission', () => {
  const input: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } } }] } };
  const p = defaultPod(input);
  assert.equal(p.spec, {
    containers: [{
      name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }],
      resources: { limits: { cpu: '1' }, requests: { cpu: '1' } },
      terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent',
    }],
    dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', terminationGracePeriodSeconds: 30, securityContext: {},
    schedulerName: 'default-scheduler', enableServiceLinks: true,
  });
  assert.not.ok('spec' in input && input.spec?.dnsPolicy, 'the input is not mutated');
});

test('default tolerations are not added twice or when already tolerated', () => {
  assert.is(addDefaultTolerations(addDefaultTolerations([])).length, 2);
  assert.equal(addDefaultTolerations([{ operator: 'Exists' }]), [{ operator: 'Exists' }]);
  assert.equal(addDefaultTolerations([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }]).map((t) => t.tolerationSeconds), [10, 300]);
  assert.equal(addDefaultTolerations([], { notReady: 30, unreachable: 60 }), [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
  ]);
});

test('deployment defaults', () => {
  const d = defaultDeployment({ spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } });
  assert.is(d.spec?.replicas, 1);
  assert.equal(d.spec?.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.is(d.spec?.revisionHistoryLimit, 10);
  assert.is(d.spec?.progressDeadlineSeconds, 600);
  assert.is(d.spec?.template.spec?.restartPolicy, 'Always', 'pod template defaults apply inside');
  assert.is(d.spec?.template.spec?.containers[0]?.imagePullPolicy, 'Always');
  assert.is(d.spec?.template.spec?.tolerations, undefined, 'admission defaults are for pods, not templates');
  const recreate = defaultDeployment({ spec: { selector: {}, template: {}, strategy: { type: 'Recreate' } } });
  assert.equal(recreate.spec?.strategy, { type: 'Recreate' });
});

test('daemonset and statefulset defaults', () => {
  const ds = defaultDaemonSet({ spec: { selector: {}, template: {} } });
  assert.equal(ds.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.is(ds.spec?.revisionHistoryLimit, 10);
  const sts = defaultStatefulSet({ spec: { selector: {}, template: {}, serviceName: 'db' } });
  assert.is(sts.spec?.podManagementPolicy, 'OrderedReady');
  assert.equal(sts.spec?.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.is(sts.spec?.replicas, 1);
  assert.is(sts.spec?.revisionHistoryLimit, 10);
});

test('job defaults and the generated selector', () => {
  const j = defaultJob({ metadata: { name: 'pi', uid: 'u-1' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [] } } } });
  assert.is(j.spec?.parallelism, 1);
  assert.is(j.spec?.completions, 1);
  assert.is(j.spec?.backoffLimit, 6);
  assert.is(j.spec?.completionMode, 'NonIndexed');
  assert.is(j.spec?.suspend, false);
  assert.equal(j.spec?.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
  assert.equal(j.spec?.template.metadata?.labels, { 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'job-name': 'pi' });
  const manual = defaultJob({ metadata: { name: 'pi', uid: 'u-1' }, spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: {} } });
  assert.equal(manual.spec?.selector, { matchLabels: { a: 'b' } });
  const par = defaultJob({ spec: { parallelism: 3, template: {} } });
  assert.is(par.spec?.completions, undefined, 'a work queue keeps completions unset');
});

test('service defaults and allocation helpers', () => {
  const s = defaultService({ spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 443, targetPort: 'https' }] } });
  assert.equal(s.spec, {
    selector: { app: 'web' }, type: 'ClusterIP', sessionAffinity: 'None',
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 443, targetPort: 'https', protocol: 'TCP' }],
    internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
  });
  assert.ok(needsClusterIP(s));
  assert.not.ok(needsClusterIP({ spec: { clusterIP: 'None' } }));
  assert.not.ok(needsClusterIP({ spec: { type: 'ExternalName' } }));
  assert.not.ok(needsClusterIP({ spec: { clusterIP: '10.0.0.1' } }));
  const np = defaultService({ spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 81, nodePort: 30001 }] } });
  assert.is(np.spec?.externalTrafficPolicy, 'Cluster');
  assert.equal(portsNeedingNodePort(np), [0]);
  assert.equal(portsNeedingNodePort(s), []);
  assert.equal(portsNeedingNodePort({ spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] } }), []);
  const kept = keepAllocatedValues({ spec: { type: 'NodePort', ports: [{ port: 80 }] } }, { spec: { type: 'NodePort', clusterIP: '10.0.0.9', clusterIPs: ['10.0.0.9'], ports: [{ port: 80, protocol: 'TCP', nodePort: 31000 }] } });
  assert.is(kept.spec?.clusterIP, '10.0.0.9');
  assert.is(kept.spec?.ports?.[0]?.nodePort, 31000);
});

test('namespace defaults', () => {
  const ns = defaultNamespace({ metadata: { name: 'team-a' } });
  assert.equal(ns.metadata?.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  assert.equal(ns.spec?.finalizers, ['kubernetes']);
  assert.is(ns.status?.phase, 'Active');
});

test.run();
