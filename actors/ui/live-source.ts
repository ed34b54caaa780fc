/**
 * The UiSource of a running cluster (`kubeactor up --ui`, `startCluster({ui})`): the cluster
 * view from the process's shared informers, the message view from a bus tap, the actor
 * view from the actor feed (uichart's actor-feed.ts), which attaches inspection only to the
 * actor a tab has open.
 */
import type { Clock } from '../../base/clock.ts';
import type { Bus } from '../../bus/bus.ts';
import type { ActorHost } from '../host.ts';
import { liveCluster } from './cluster-live.ts';
import { tapMessages } from './messages.ts';
import type { ActorSource, UiSource } from './source.ts';
import { basicActorFeed } from './actor-feed-basic.ts';
import { startUiServer, type UiServer } from './server.ts';

export interface LiveSourceOptions {
  host: ActorHost;
  bus: Bus;
  clock: Clock;
  actors: ActorSource;
  title?: string;
}

export function liveSource(opts: LiveSourceOptions): UiSource {
  const cluster = liveCluster(opts.host, opts.clock);
  const messages = tapMessages(opts.bus);
  return {
    mode: 'live',
    title: opts.title ?? 'kubeactor',
    cluster: cluster.model,
    actors: opts.actors,
    messages: messages.store,
    async close() {
      cluster.stop();
      messages.stop();
    },
  };
}

export interface LiveUiOptions {
  host: ActorHost;
  bus: Bus;
  clock: Clock;
  port?: number;
  /** Where to listen; default 127.0.0.1 (anything else needs `token`). */
  address?: string;
  token?: string;
  frameMs?: number;
}

/** A running cluster's web UI: its source and its server. */
export async function startLiveUi(opts: LiveUiOptions): Promise<{ server: UiServer; source: UiSource; close(): Promise<void> }> {
  const feed = basicActorFeed(opts.host, () => opts.clock.now());
  const source = liveSource({ host: opts.host, bus: opts.bus, clock: opts.clock, actors: feed, title: `kubeactor — ${opts.host.list().filter((a) => a.startsWith('kubelet.')).length} nodes` });
  const server = await startUiServer(source, { port: opts.port ?? 0, ...(opts.address ? { host: opts.address } : {}), ...(opts.token ? { token: opts.token } : {}), ...(opts.frameMs ? { frameMs: opts.frameMs } : {}) });
  return {
    server,
    source,
    async close() {
      await server.close();
      await source.close();
      feed.close();
    },
  };
}
