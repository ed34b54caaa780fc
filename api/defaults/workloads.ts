/**
 * apps/v1 and batch/v1 defaulting (pkg/apis/apps/v1/defaults.go, pkg/apis/batch/v1/defaults.go)
 * plus the Job strategy's generated selector. Each returns a defaulted copy.
 */
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { clone } from '../json.ts';
import { defaultPodSpecInPlace } from './pod.ts';

function template<T extends { spec?: { template?: { spec?: Parameters<typeof defaultPodSpecInPlace>[0] } } }>(obj: T): T {
  const spec = obj.spec?.template?.spec;
  if (spec) defaultPodSpecInPlace(spec);
  return obj;
}

export function defaultDeployment(d: Deployment): Deployment {
  const o = template(clone(d));
  const s = (o.spec ??= { selector: {}, template: {} });
  s.replicas ??= 1;
  const st = (s.strategy ??= {});
  st.type ??= 'RollingUpdate';
  if (st.type === 'RollingUpdate') {
    const ru = (st.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  s.revisionHistoryLimit ??= 10;
  s.progressDeadlineSeconds ??= 600;
  return o;
}

export function defaultReplicaSet(rs: ReplicaSet): ReplicaSet {
  const o = template(clone(rs));
  const s = (o.spec ??= { selector: {} });
  s.replicas ??= 1;
  return o;
}

export function defaultDaemonSet(ds: DaemonSet): DaemonSet {
  const o = template(clone(ds));
  const s = (o.spec ??= { selector: {}, template: {} });
  const us = (s.updateStrategy ??= {});
  us.type ??= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = (us.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  s.revisionHistoryLimit ??= 10;
  return o;
}

export function defaultStatefulSet(sts: StatefulSet): StatefulSet {
  const o = template(clone(sts));
  const s = (o.spec ??= { selector: {}, template: {}, serviceName: '' });
  s.podManagementPolicy ??= 'OrderedReady';
  const us = (s.updateStrategy ??= {});
  us.type ??= 'RollingUpdate';
  if (us.type === 'RollingUpdate') (us.rollingUpdate ??= {}).partition ??= 0;
  s.replicas ??= 1;
  s.revisionHistoryLimit ??= 10;
  const ret = (s.persistentVolumeClaimRetentionPolicy ??= {});
  ret.whenDeleted ??= 'Retain';
  ret.whenScaled ??= 'Retain';
  return o;
}

export const JOB_CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME = 'batch.kubernetes.io/job-name';

/**
 * SetDefaults_Job, and — unless `manualSelector` is true — the selector and template labels the
 * Job strategy generates from the Job's uid (`uid` defaults to metadata.uid, so the apiserver
 * stamps the uid first). With no uid the selector is left alone.
 */
export function defaultJob(job: Job, uid: string | undefined = job.metadata?.uid): Job {
  const o = template(clone(job));
  const s = (o.spec ??= { template: {} });
  if (s.completions === undefined && s.parallelism === undefined) {
    s.completions = 1;
    s.parallelism = 1;
  }
  s.parallelism ??= 1;
  s.backoffLimit ??= s.backoffLimitPerIndex === undefined ? 6 : 2147483647;
  s.completionMode ??= 'NonIndexed';
  s.suspend ??= false;
  s.podReplacementPolicy ??= s.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  if (s.manualSelector !== true && uid) {
    const name = o.metadata?.name ?? '';
    s.selector = { matchLabels: { [JOB_CONTROLLER_UID]: uid } };
    // A Job without a template still gets the labels (Go's template is a struct, never nil).
    const meta = ((s.template ??= {}).metadata ??= {});
    meta.labels = { ...meta.labels, [JOB_CONTROLLER_UID]: uid, [JOB_NAME]: name, 'controller-uid': uid, 'job-name': name };
  }
  return o;
}
