/**
 * Starting the ingress controller on an ActorHost: the listeners first (their address is what
 * the controller reports in each Ingress's status), then the controller actor at
 * `controller.ingress` on the process's shared informers.
 *
 * The listen address defaults to DEFAULT_INGRESS_ADDRESS, 127.0.2.254 — the last address of
 * the default LoadBalancer pool (127.0.2.0/24), which the pool leaves to it; `up` gives the
 * last address of the range it claimed, so a second cluster on the host has its own. On
 * loopback, it needs no configuration of the host. Ports default to 80 and 443; where those may not be bound (no privilege, or taken)
 * the defaults fall back to free ports, said in the result.
 */
import { lastHost } from '../../api/ipv4.ts';
import { DEFAULT_LOAD_BALANCER_CIDR } from '../controllers/cloud-service/pool.ts';
import type { ActorHost } from '../host.ts';
import { informerFactory } from '../informers/actor.ts';
import { controllerActor } from '../controllers/actor.ts';
import { controllerAddress } from '../controllers/framework.ts';
import { defaultCertificate } from './certificates.ts';
import { ingressControllerDefinition, INGRESS_CONTROLLER_NAME } from './controller.ts';
import { IngressProxy } from './proxy.ts';

export { CONFIG_KEY, INGRESS_CONTROLLER_NAME, INVALID_TLS_SECRET, createIngressController, ingressControllerDefinition } from './controller.ts';
export { IngressProxy, NOT_FOUND_BODY, type ProxyConfig } from './proxy.ts';
export { certificateFrom, DEFAULT_CERTIFICATE_SUBJECT } from './certificates.ts';

export const DEFAULT_INGRESS_ADDRESS = lastHost(DEFAULT_LOAD_BALANCER_CIDR);
export const DEFAULT_HTTP_PORT = 80;
export const DEFAULT_HTTPS_PORT = 443;

export interface IngressOptions {
  /** Default DEFAULT_INGRESS_ADDRESS. */
  address?: string;
  /** Default 80, or a free port when 80 may not be bound; 0 picks a free port. */
  httpPort?: number;
  /** Default 443, or a free port when 443 may not be bound; 0 picks a free port. */
  httpsPort?: number;
}

export interface RunningIngress {
  address: string;
  httpPort: number;
  httpsPort: number;
  /** Set when a default port could not be bound and a free one was taken instead. */
  fallback?: string;
  stop(): Promise<void>;
}

const refused = (err: unknown): boolean => ['EACCES', 'EADDRINUSE', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '');

export async function startIngressController(host: ActorHost, opts: IngressOptions = {}): Promise<RunningIngress> {
  const address = opts.address ?? DEFAULT_INGRESS_ADDRESS;
  const proxyFor = (httpPort: number, httpsPort: number) => new IngressProxy({ address, httpPort, httpsPort, defaultCertificate: defaultCertificate() });
  let proxy = proxyFor(opts.httpPort ?? DEFAULT_HTTP_PORT, opts.httpsPort ?? DEFAULT_HTTPS_PORT);
  let ports: { http: number; https: number };
  let fallback: string | undefined;
  try {
    ports = await proxy.listen();
  } catch (err) {
    if ((opts.httpPort !== undefined && opts.httpsPort !== undefined) || !refused(err)) throw err;
    fallback = `ports ${DEFAULT_HTTP_PORT}/${DEFAULT_HTTPS_PORT} on ${address} could not be bound (${(err as Error).message}); listening on free ports instead`;
    proxy = proxyFor(opts.httpPort ?? 0, opts.httpsPort ?? 0);
    ports = await proxy.listen();
  }
  const def = ingressControllerDefinition(proxy, address);
  host.spawn(controllerActor(def, { factory: informerFactory(host), options: { address, httpPort: ports.http, httpsPort: ports.https } }));
  return {
    address,
    httpPort: ports.http,
    httpsPort: ports.https,
    ...(fallback ? { fallback } : {}),
    async stop() {
      host.stop(controllerAddress(INGRESS_CONTROLLER_NAME));
      await proxy.close();
    },
  };
}
