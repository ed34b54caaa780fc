/**
 * Specs start their own nats-server on a free loopback port; the launcher lives in
 * actors/nats-server.ts so that benches and the CLI share it.
 */
export { freePort, startNatsServer, type NatsServerHandle, type NatsServerOptions } from '../../actors/nats-server.ts';
