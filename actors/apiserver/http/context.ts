import type { Port } from '../../../bus/bus.ts';
import type { UserInfo } from '../../../bus/catalogue/api.ts';
import type { ServedKind } from '../../../api/discovery/types.ts';
import type { WatchStreams } from './watch-streams.ts';
import type { Envelope } from '../../../base/envelope.ts';
import type { Logger } from '../../actor-def.ts';
import type { Clock } from '../../../base/clock.ts';
import type { FrontMetrics } from './metrics.ts';
import type { Auditor } from '../audit/auditor.ts';
import type { FlowControl } from '../flowcontrol/controller.ts';

/** What every request handler of the front is given. */
export interface FrontContext {
  /** The front's own bus port (an `edge.` address, so the apiserver believes `user`). */
  port: Port;
  /** The bus address of the apiserver actor. */
  apiserver: string;
  /** The served kinds (discovery, routing, tables, OpenAPI); replaced whole when the kind registry changes. */
  kinds: readonly ServedKind[];
  /** The open watch streams, fed by `api.watch-events` arriving at the port. */
  watches: WatchStreams;
  /** Other streams fed by messages to the port (followed logs), by stream id. */
  streams: Map<string, (env: Envelope) => void>;
  /** Request timeout on the bus, in ms. */
  requestTimeoutMs: number;
  /** Times watches and request deadlines (a virtual clock in specs). */
  clock: Clock;
  /** Where the front reports what it cannot tell the client (a response that failed after a write). */
  log: Logger;
  /** Counts every request the front answers (served on /metrics). */
  metrics: FrontMetrics;
  /** The audit policy and log, when --audit-policy-file is given. */
  audit?: Auditor;
  /** The apiserver's API Priority and Fairness, for its debug endpoints; absent: they are not served. */
  flowControl?: FlowControl;
}

/** Per-request facts: the authenticated user and the parsed URL. */
export interface RequestInfo {
  user: UserInfo;
  url: URL;
  accept: string | undefined;
}

/** Finds the served kind for group/version/resource. */
export function findKind(kinds: readonly ServedKind[], group: string, version: string, resource: string): ServedKind | undefined {
  return kinds.find((k) => k.group === group && k.version === version && k.resource === resource);
}
