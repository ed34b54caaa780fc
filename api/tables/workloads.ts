/**
 * Printers for the apps and batch workloads, as Kubernetes' printDeployment,
 * printReplicaSet, printStatefulSet, printDaemonSet, printJob and printCronJob.
 */
import type { JsonObject } from '../json.ts';
import { humanDuration, since } from './duration.ts';
import { arr, createdOf, formatLabelSelector, metaOf, nameOf, num, obj, selectorString, specOf, statusOf, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type ColumnDefinition, type Printer } from './table.ts';

export const CONTAINERS = col('Containers', 'string', 'Names of each container in the template.', 1);
export const IMAGES = col('Images', 'string', 'Images referenced by each container in the template.', 1);
const SELECTOR = col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1);

/** CONTAINERS and IMAGES of a pod template. */
export function templateCells(template: unknown): [string, string] {
  const containers = arr(specOf(obj(template)).containers).map(obj);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(',')];
}

const selectorOf = (o: JsonObject): string => {
  const s = formatLabelSelector(specOf(o).selector);
  return s === '<none>' ? '' : s;
};

const printer = (columns: ColumnDefinition[], cells: Printer['cells']): Printer => ({ columns, cells });

export const deploymentPrinter = printer(
  [NAME_COLUMN, col('Ready', 'string', 'Number of the pod with ready state'), col('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'), col('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'), AGE_COLUMN, CONTAINERS, IMAGES, SELECTOR],
  (o, now) => {
    const s = statusOf(o);
    return [nameOf(o), `${num(s.readyReplicas)}/${num(specOf(o).replicas, 1)}`, num(s.updatedReplicas), num(s.availableReplicas), since(createdOf(o), now), ...templateCells(specOf(o).template), selectorOf(o)];
  },
);

export const replicaSetPrinter = printer(
  [NAME_COLUMN, col('Desired', 'integer', 'Replicas is the number of desired replicas.'), col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'), col('Ready', 'integer', 'The number of ready replicas for this replica set.'), AGE_COLUMN, CONTAINERS, IMAGES, SELECTOR],
  (o, now) => {
    const s = statusOf(o);
    return [nameOf(o), num(specOf(o).replicas, 1), num(s.replicas), num(s.readyReplicas), since(createdOf(o), now), ...templateCells(specOf(o).template), selectorOf(o)];
  },
);

export const statefulSetPrinter = printer(
  [NAME_COLUMN, col('Ready', 'string', 'Number of the pod with ready state'), AGE_COLUMN, CONTAINERS, IMAGES],
  (o, now) => [nameOf(o), `${num(statusOf(o).readyReplicas)}/${num(specOf(o).replicas, 1)}`, since(createdOf(o), now), ...templateCells(specOf(o).template)],
);

export const daemonSetPrinter = printer(
  [NAME_COLUMN, col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'), col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'), col('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.'), col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'), col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'), col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'), AGE_COLUMN, CONTAINERS, IMAGES, SELECTOR],
  (o, now) => {
    const s = statusOf(o);
    const nodeSelector = selectorString(specOf(obj(specOf(o).template)).nodeSelector) || '<none>';
    return [nameOf(o), num(s.desiredNumberScheduled), num(s.currentNumberScheduled), num(s.numberReady), num(s.updatedNumberScheduled), num(s.numberAvailable), nodeSelector, since(createdOf(o), now), ...templateCells(specOf(o).template), selectorOf(o)];
  },
);

const hasCondition = (o: JsonObject, type: string): boolean =>
  arr(statusOf(o).conditions).some((c) => obj(c).type === type && obj(c).status === 'True');

/** printJob's STATUS: the first of Complete, Failed, Terminating, Suspended, ... that holds. */
function jobStatus(o: JsonObject): string {
  if (hasCondition(o, 'Complete')) return 'Complete';
  if (hasCondition(o, 'Failed')) return 'Failed';
  if (metaOf(o).deletionTimestamp !== undefined) return 'Terminating';
  if (hasCondition(o, 'Suspended')) return 'Suspended';
  if (hasCondition(o, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

export const jobPrinter = printer(
  [NAME_COLUMN, col('Status', 'string', 'Status of the job.'), col('Completions', 'string', 'The completion status of the job.'), col('Duration', 'string', 'Time required to complete the job.'), AGE_COLUMN, CONTAINERS, IMAGES, SELECTOR],
  (o, now) => {
    const spec = specOf(o);
    const s = statusOf(o);
    const succeeded = num(s.succeeded);
    const parallelism = num(spec.parallelism, 0);
    const completions = typeof spec.completions === 'number' ? `${succeeded}/${spec.completions}` : parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    const start = str(s.startTime);
    const end = str(s.completionTime);
    const dur = !start ? '' : humanDuration((end ? Date.parse(end) : now) - Date.parse(start));
    return [nameOf(o), jobStatus(o), completions, dur, since(createdOf(o), now), ...templateCells(spec.template), selectorOf(o)];
  },
);

export const cronJobPrinter = printer(
  [NAME_COLUMN, col('Schedule', 'string', 'The schedule in Cron format.'), col('Timezone', 'string', 'The time zone for the given schedule.'), col('Suspend', 'boolean', 'Whether subsequent executions are suspended.'), col('Active', 'integer', 'Number of currently running jobs.'), col('Last Schedule', 'string', 'When the last job was successfully scheduled.'), AGE_COLUMN, CONTAINERS, IMAGES, SELECTOR],
  (o, now) => {
    const spec = specOf(o);
    const s = statusOf(o);
    const last = s.lastScheduleTime === undefined ? '<none>' : since(s.lastScheduleTime, now);
    const jobTemplate = specOf(obj(spec.jobTemplate));
    return [nameOf(o), str(spec.schedule), str(spec.timeZone) || '<none>', spec.suspend === true ? 'True' : 'False', arr(s.active).length, last, since(createdOf(o), now), ...templateCells(jobTemplate.template), formatLabelSelector(jobTemplate.selector)];
  },
);

