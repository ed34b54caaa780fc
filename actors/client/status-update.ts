/**
 * The status write every workload controller does: compute the status from the object,
 * PUT it on the status subresource when it changed, and on a Conflict re-read the object
 * and try once more (client-go's RetryOnConflict, bounded to one retry as
 * replica_set_utils.go's updateReplicaSetStatus does).
 */
import { isConflict, isNotFound, unwrap } from '../../base/status.ts';
import type { ApiClient } from './client.ts';
import type { Target } from './targets.ts';

/**
 * `next(cur)` is the object to write (with its new status), or null when `cur` already says
 * it. Answers the object as last written — `start` when nothing was written — or null when
 * the object is gone. Any other failure, or a second conflict, is thrown as an ApiError.
 */
export async function updateStatusOnConflict<T>(api: ApiClient, target: Target<T>, start: T, next: (cur: T) => T | null): Promise<T | null> {
  let cur = start;
  let written = start;
  for (let attempt = 0; attempt < 2; attempt++) {
    const obj = next(cur);
    if (obj === null) break;
    const r = await api.updateStatus(target, obj);
    if (r.ok) {
      written = r.value.object;
      break;
    }
    if (isNotFound(r)) return null;
    if (!isConflict(r) || attempt === 1) unwrap(r);
    cur = unwrap(await api.get(target));
  }
  return written;
}
