import { badRequest, expired, internalError, unavailable, type Status } from '../../base/status.ts';
import { asKvError } from './watch-hub.ts';

/**
 * The Status a backend failure travels as on the bus. 'compacted' is Kubernetes' 410
 * Expired ("too old resource version"); a future revision, a bad continue token and a
 * malformed txn are the caller's mistake (400); a closed or unreachable store is 503; anything else 500.
 */
export function kvStatus(err: unknown): Status {
  const e = asKvError(err);
  switch (e.code) {
    case 'compacted':
      return expired(e.message);
    case 'future-revision':
    case 'bad-continue':
    case 'bad-request':
      return badRequest(e.message);
    case 'closed':
    case 'unavailable':
      return unavailable(e.message);
    case 'internal':
      return internalError(e.message);
  }
}
