/** The printer of core/v1 ReplicationController (printReplicationController). */
import { since } from './duration.ts';
import { createdOf, nameOf, num, selectorString, specOf, statusOf } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';
import { CONTAINERS, IMAGES, templateCells } from './workloads.ts';

export const replicationControllerPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller'),
    col('Ready', 'integer', 'The number of ready replicas for this replication controller.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    col('Selector', 'string', 'Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', 1),
  ],
  cells: (o, now) => {
    const s = statusOf(o);
    return [nameOf(o), num(specOf(o).replicas, 1), num(s.replicas), num(s.readyReplicas), since(createdOf(o), now), ...templateCells(specOf(o).template), selectorString(specOf(o).selector)];
  },
};
