/**
 * The apiserver client of every component: typed targets (targets.ts), the client
 * (client.ts), and — re-exported so a component needs one import — the Status predicates,
 * `unwrap` / ApiError (the Status module) and the reconcilers' TerminalError.
 */
export { ApiClient, type ObjectList, type Written } from './client.ts';
export { resourceTargets, splitKey, targets, type ResourceTargets, type Target } from './targets.ts';
export { updateStatusOnConflict } from './status-update.ts';
export { ensureObject } from './ensure.ts';
export { TokenBucket, type ClientLimits } from './rate-limit.ts';
export { CLIENT_COMPONENTS, DEFAULT_CLIENT_LIMITS, KUBELET_EVENT_LIMITS, limitsOf, type ClientComponent, type ClientLimitsTable } from './limits.ts';
export { ClientThrottle, clientPort, clientThrottle, processClientStats, throttledPort, type ClientStats } from './throttle.ts';
export {
  ApiError,
  isAlreadyExists,
  isBadRequest,
  isConflict,
  isConflictOrExists,
  isExpired,
  isForbidden,
  isGone,
  isInternalError,
  isInvalid,
  isNotFound,
  isServiceUnavailable,
  isTimeout,
  isTooManyRequests,
  isUnauthorized,
  statusOf,
  unwrap,
} from '../../base/status.ts';
export { isTerminal, TerminalError } from '../../machines/controllers/terminal.ts';
