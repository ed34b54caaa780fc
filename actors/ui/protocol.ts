/**
 * The JSON the browser tab and the UI server exchange over the WebSocket. Types only: the
 * app (ui/app/) and the server (session.ts) both import them.
 *
 * The tab sends requests `{id, op, …}`; the server answers `{id, result}` or `{id, error}`
 * (a Kubernetes Status). The server pushes `{push, …}` frames on its own.
 */
import type { Status } from '../../base/status.ts';
import type {
  ActorEvent, ActorInfo, ActorState, ActorUpdate, ClusterList, ClusterSummary, MachineDefinitionJson, MessageRow, PodRow, ReplayPosition, UiDivergence, Window,
} from './source.ts';

export type Request =
  | { op: 'hello' }
  /** A window of a cluster list; the server keeps pushing it (key `list`) while it changes. */
  | { op: 'window'; list: ClusterList; offset: number; limit: number; filter?: string }
  /** The pods of a node ('' = unscheduled); pushed on change as key `pods:NODE`. `node: null` stops. */
  | { op: 'pods'; node: string | null; offset: number; limit: number }
  | { op: 'actors'; select?: string; offset?: number; limit?: number }
  /** Opens one actor (and follows it: inspection attached to it alone); `address: null` closes it. */
  | { op: 'actor'; address: string | null }
  /** The messages matching a filter; new ones that match are pushed. */
  | { op: 'messages'; actors?: string; types?: string; limit?: number }
  | { op: 'payload'; seq: number }
  | { op: 'seek'; seq?: number; at?: number }
  | { op: 'step'; delta: number }
  | { op: 'play'; speed: number }
  | { op: 'pause' };

export type RequestFrame = Request & { id: number };

export interface Hello {
  mode: 'live' | 'replay';
  title: string;
  summary: ClusterSummary;
  range?: { first: number; last: number; firstAt: number; lastAt: number };
  position?: ReplayPosition;
  divergences?: UiDivergence[];
}

export interface ActorOpened {
  definition?: MachineDefinitionJson;
  state?: ActorState;
  events: ActorEvent[];
}

export type Reply = { id: number; result: unknown } | { id: number; error: Status };

export type Push =
  | { push: 'cluster'; summary: ClusterSummary; windows: Record<string, Window<unknown>> }
  | { push: 'actor'; update: ActorUpdate; events?: ActorEvent[] }
  /** `reset`: the whole list again (a replay moved). */
  | { push: 'messages'; rows: MessageRow[]; reset?: boolean }
  | { push: 'position'; position: ReplayPosition };

export type { ActorInfo, PodRow };
