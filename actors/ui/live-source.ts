/**
 * The UiSource of a running cluster (`kubeactor up --ui`): the cluster
 * view from the process's shared informers, the message view from a bus tap, the actor
 * view from the actor feed (actor-feed.ts), which inspects a hosted actor only while a tab
 * has it open.
 */
import type { Clock } from '../../base/clock.ts';
import type { Bus } from '../../bus/bus.ts';
import type { ActorHost } from '../host.ts';
import { liveCluster } from './cluster-live.ts';
import { tapMessages } from './messages.ts';
import type { UiSource } from './source.ts';
import { ActorFeed } from './actor-feed.ts';
import { startUiServer, type UiServer } from './server.ts';

export interface LiveUiOptions {
  host: ActorHost;
  bus: Bus;
  clock: Clock;
  port?: number;
  /** Where to listen; default 127.0.0.1 (anything else needs `token`). */
  address?: string;
  token?: string;
  frameMs?: number;
  /** Made before the host (`prepareLiveUi`), so pods are shown too; else made now, for the host's own actors. */
  prepared?: ReturnType<typeof prepareLiveUi>;
}

/**
 * What must exist before the cluster's host is built: the message tap (so the feed can show
 * an actor's messages from before it was watched) and the actor feed, whose `inspectFor`
 * the host needs for pods (a pod is observable only from its start). Give `inspectFor` to
 * the host (with `bothInspect` beside the Stately bridge's).
 */
export function prepareLiveUi(bus: Bus, clock: Clock): { feed: ActorFeed; messages: ReturnType<typeof tapMessages> } {
  const messages = tapMessages(bus);
  return { feed: new ActorFeed({ clock, messages: messages.store }), messages };
}

/** A running cluster's web UI: its source and its server. */
export async function startLiveUi(opts: LiveUiOptions): Promise<{ server: UiServer; source: UiSource; close(): Promise<void> }> {
  const { feed, messages } = opts.prepared ?? prepareLiveUi(opts.bus, opts.clock);
  feed.follow(opts.host);
  const cluster = liveCluster(opts.host, opts.clock);
  const nodes = opts.host.list().filter((a) => a.startsWith('kubelet.')).length;
  const source: UiSource = {
    mode: 'live',
    title: `kubeactor${nodes ? ` — ${nodes} node${nodes === 1 ? '' : 's'}` : ''}`,
    cluster: cluster.model,
    actors: feed,
    messages: messages.store,
    async close() {
      cluster.stop();
      messages.stop();
      feed.close();
    },
  };
  const server = await startUiServer(source, { port: opts.port ?? 0, ...(opts.address ? { host: opts.address } : {}), ...(opts.token ? { token: opts.token } : {}), ...(opts.frameMs ? { frameMs: opts.frameMs } : {}) });
  return {
    server,
    source,
    async close() {
      await server.close();
      await source.close();
    },
  };
}
