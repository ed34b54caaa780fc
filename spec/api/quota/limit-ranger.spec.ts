import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LimitRange, Pod } from 'kubernetes-types/core/v1.js';
import { defaultPodResources, LIMIT_RANGER_ANNOTATION, validateClaimLimits, validatePodLimits } from '../../../api/quota/limit-ranger.ts';
import { defaultLimitRange } from '../../../api/defaults/quota.ts';
import { validateLimitRange, validateResourceQuota } from '../../../api/validation/quota.ts';

const range = (name: string, limits: NonNullable<LimitRange['spec']>['limits']): LimitRange => defaultLimitRange({ metadata: { name, namespace: 'q' }, spec: { limits } });
const pod = (containers: NonNullable<Pod['spec']>['containers']): Pod => ({ metadata: { name: 'p' }, spec: { containers } });

test('defaults fill what a container leaves out, and the annotation says what was set', () => {
  const lr = range('lr', [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' } }]);
  const out = defaultPodResources(pod([{ name: 'app', image: 'x' }, { name: 'own', image: 'x', resources: { limits: { cpu: '1' }, requests: { cpu: '1' } } }]), [lr]);
  assert.equal(out.spec?.containers[0]?.resources, { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  assert.equal(out.spec?.containers[1]?.resources, { requests: { cpu: '1', memory: '256Mi' }, limits: { cpu: '1', memory: '256Mi' } });
  assert.is(out.metadata?.annotations?.[LIMIT_RANGER_ANNOTATION], 'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app; memory request for container own; memory limit for container own');
  const none = pod([{ name: 'a', image: 'x' }]);
  assert.is(defaultPodResources(none, [range('m', [{ type: 'Container', min: { cpu: '0' } }])]).metadata?.annotations?.[LIMIT_RANGER_ANNOTATION], 'LimitRanger plugin set: cpu request for container a');
});

test('LimitRange defaulting: default from max, defaultRequest from default then min', () => {
  const lr = range('lr', [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }]);
  assert.equal(lr.spec?.limits[0], { type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' }, default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '64Mi' } });
});

test('min, max and ratio are refused with upstream\'s messages', () => {
  const lr: LimitRange = { metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' }, maxLimitRequestRatio: { cpu: '2' } }] } };
  assert.equal(validatePodLimits(pod([{ name: 'a', image: 'x', resources: { requests: { cpu: '50m' }, limits: { cpu: '500m' } } }]), [lr]), [
    'minimum cpu usage per Container is 100m, but request is 50m',
    'cpu max limit to request ratio per Container is 2, but provided ratio is 10.000000',
  ]);
  assert.equal(validatePodLimits(pod([{ name: 'a', image: 'x', resources: { requests: { cpu: '200m' }, limits: { cpu: '2' } } }]), [lr]), [
    'maximum cpu usage per Container is 1, but limit is 2',
    'cpu max limit to request ratio per Container is 2, but provided ratio is 10.000000',
  ]);
  assert.equal(validatePodLimits(pod([{ name: 'a', image: 'x' }]), [lr]), [
    'minimum cpu usage per Container is 100m.  No request is specified',
    'maximum cpu usage per Container is 1.  No limit is specified',
    'cpu max limit to request ratio per Container is 2, but no request is specified or request is 0',
  ]);
  const podMax: LimitRange = { metadata: { name: 'p' }, spec: { limits: [{ type: 'Pod', max: { memory: '1Gi' } }] } };
  const two = pod([1, 2].map((i) => ({ name: `c${i}`, image: 'x', resources: { limits: { memory: '768Mi' } } })));
  assert.equal(validatePodLimits(two, [podMax]), ['maximum memory usage per Pod is 1Gi, but limit is 1536Mi']);
  const claims: LimitRange = { metadata: { name: 'c' }, spec: { limits: [{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '5Gi' } }] } };
  assert.equal(validateClaimLimits({ spec: { resources: { requests: { storage: '10Gi' } } } }, [claims]), ['maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 10Gi']);
});

test('validation: LimitRange orderings, Pod defaults, duplicate types; ResourceQuota names, integers and scopes', () => {
  const lr = range('lr', [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }, { type: 'Pod', default: { cpu: '1' } }, { type: 'Container' }]);
  const msgs = validateLimitRange(lr).map((c) => `${c.field}: ${c.message}`);
  assert.ok(msgs.includes('spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1'), msgs.join('\n'));
  assert.ok(msgs.includes("spec.limits[1].default: Forbidden: may not be specified when `type` is 'Pod'"), msgs.join('\n'));
  assert.ok(msgs.includes('spec.limits[2].type: Duplicate value: "Container"'), msgs.join('\n'));
  const q = { metadata: { name: 'q', namespace: 'q' }, spec: { hard: { pods: '1.5', bogus: '1', cpu: '-1' }, scopes: ['BestEffort', 'NotBestEffort'] } };
  const qm = validateResourceQuota(q).map((c) => `${c.field}: ${c.message}`);
  assert.equal(qm, [
    'spec.hard[bogus]: Invalid value: "bogus": must be a standard resource for quota',
    'spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0',
    'spec.hard[pods]: Invalid value: 1500m: must be an integer',
    // BestEffort may count only pods (cpu is refused); NotBestEffort takes pods and cpu; a non-standard name is not checked.
    'spec.scopes: Invalid value: []string{"BestEffort", "NotBestEffort"}: unsupported scope applied to resource',
    'spec.scopes: Invalid value: []string{"BestEffort", "NotBestEffort"}: conflicting scopes',
  ]);
});

test.run();
