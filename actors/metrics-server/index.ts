/** metrics-server on an ActorHost (for `kubeactor up`, specs and benches). */
import type { ActorHost } from '../host.ts';
import { METRICS_SERVER_ADDRESS } from '../../api/kinds/metrics/address.ts';
import { metricsServerActor, type MetricsServerOptions } from './actor.ts';

export { metricsServerActor, type MetricsServerOptions } from './actor.ts';

/** Spawns metrics-server at `metrics-server`; `stop()` ends it. */
export function startMetricsServer(host: ActorHost, opts: MetricsServerOptions = {}): { address: string; stop(): void } {
  host.spawn(metricsServerActor(opts));
  return { address: METRICS_SERVER_ADDRESS, stop: () => void host.stop(METRICS_SERVER_ADDRESS) };
}
