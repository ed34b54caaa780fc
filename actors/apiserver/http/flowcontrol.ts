/**
 * The front's part of API Priority and Fairness: the X-Kubernetes-PF-FlowSchema-UID and
 * X-Kubernetes-PF-PriorityLevel-UID headers (what `kubectl -v=8` shows) from the UIDs the
 * apiserver's reply carries, and the debug endpoints' text.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed } from '../../../base/status.ts';
import type { FlowControl } from '../flowcontrol/controller.ts';
import { dumpPriorityLevels, dumpQueues } from '../flowcontrol/report.ts';
import { pfUidsOf } from '../flowcontrol/request.ts';
import { pathNotFound, sendStatus, sendText } from './respond.ts';

/** Sets the flow-control headers of `res` from the apiserver's reply (none when it carries no UIDs). */
export function setPfHeaders(res: ServerResponse, reply: unknown): void {
  const pf = pfUidsOf(reply);
  if (!pf || res.headersSent) return;
  res.setHeader('X-Kubernetes-PF-FlowSchema-UID', pf.flowSchema);
  res.setHeader('X-Kubernetes-PF-PriorityLevel-UID', pf.priorityLevel);
}

/** GET /debug/api_priority_and_fairness/dump_priority_levels and dump_queues: upstream's text tables. */
export function serveFlowControlDump(fc: FlowControl | undefined, dump: 'dump_priority_levels' | 'dump_queues', req: IncomingMessage, res: ServerResponse): void {
  if (!fc) return sendStatus(res, pathNotFound());
  if (req.method !== 'GET') return sendStatus(res, methodNotAllowed());
  sendText(res, dump === 'dump_priority_levels' ? dumpPriorityLevels(fc) : dumpQueues(fc));
}
