/** Printers for flowcontrol.apiserver.k8s.io, as Kubernetes' printFlowSchema and printPriorityLevelConfiguration. */
import type { JsonObject } from '../json.ts';
import { since } from './duration.ts';
import { arr, createdOf, nameOf, num, obj, specOf, statusOf, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';

const NCS_DOC = [
  '`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level. This is the number of execution seats available at this priority level. This is used both for requests dispatched from this priority level as well as requests dispatched from other priority levels borrowing seats from this level. The server\'s concurrency limit (ServerCL) is divided among the Limited priority levels in proportion to their NCS values:',
  'NominalCL(i)  = ceil( ServerCL * NCS(i) / sum_ncs ) sum_ncs = sum[priority level k] NCS(k)',
  'Bigger numbers mean a larger nominal concurrency limit, at the expense of every other priority level.',
  'If not specified, this field defaults to a value of 30.',
  'Setting this field to zero supports the construction of a "jail" for this priority level that is used to hold some request(s)',
].join('\n\n');

/** FlowSchemaSequence: by matchingPrecedence, then by name. */
export function byPrecedence(objects: readonly JsonObject[]): JsonObject[] {
  const mp = (o: JsonObject): number => num(specOf(o).matchingPrecedence);
  return [...objects].sort((a, b) => mp(a) - mp(b) || (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
}

export const flowSchemaPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('PriorityLevel', 'string', '`name` is the name of the priority level configuration being referenced Required.'),
    col('MatchingPrecedence', 'string', '`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen FlowSchema is among those with the numerically lowest (which we take to be logically highest) MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence is not specified, it will be set to 1000 as default.'),
    col('DistinguisherMethod', 'string', '`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. `nil` specifies that the distinguisher is disabled and thus will always be the empty string.'),
    AGE_COLUMN,
    col('MissingPL', 'string', 'references a broken or non-existent PriorityLevelConfiguration'),
  ],
  order: byPrecedence,
  cells(o, now) {
    const spec = specOf(o);
    const dm = obj(spec.distinguisherMethod);
    const dangling = arr(statusOf(o).conditions).map(obj).find((c) => c.type === 'Dangling');
    return [nameOf(o), str(obj(spec.priorityLevelConfiguration).name), num(spec.matchingPrecedence), str(dm.type) || '<none>', since(createdOf(o), now), dangling ? str(dangling.status) : '?'];
  },
};

export const priorityLevelConfigurationPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Type', 'string', '`type` indicates whether this priority level is subject to limitation on request execution.  A value of `"Exempt"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do not detract from the capacity made available to other priority levels.  A value of `"Limited"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server\'s limited capacity is made available exclusively to this priority level. Required.'),
    col('NominalConcurrencyShares', 'string', NCS_DOC),
    col('Queues', 'string', '`queues` is the number of queues for this priority level. The queues exist independently at each apiserver. The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the distinguisher method of associated flow schemas irrelevant.  This field has a default value of 64.'),
    col('HandSize', 'string', '`handSize` is a small positive number that configures the shuffle sharding of requests into queues.  When enqueuing a request at this priority level the request\'s flow identifier (a string pair) is hashed and the hash value is used to shuffle the list of queues and deal a hand of the size specified here.  The request is put into one of the shortest queues in that hand. `handSize` must be no larger than `queues`, and should be significantly smaller (so that a few heavy flows do not saturate most of the queues).  See the user-facing documentation for more extensive guidance on setting this field.  This field has a default value of 8.'),
    col('QueueLengthLimit', 'string', '`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be defaulted to 50.'),
    AGE_COLUMN,
  ],
  cells(o, now) {
    const spec = specOf(o);
    const limited = spec.limited === undefined ? undefined : obj(spec.limited);
    const q = limited && obj(limited.limitResponse).queuing !== undefined ? obj(obj(limited.limitResponse).queuing) : undefined;
    const none = '<none>';
    return [
      nameOf(o),
      str(spec.type),
      limited ? num(limited.nominalConcurrencyShares) : none,
      q ? num(q.queues) : none,
      q ? num(q.handSize) : none,
      q ? num(q.queueLengthLimit) : none,
      since(createdOf(o), now),
    ];
  },
};
