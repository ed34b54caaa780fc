/**
 * The ingress controller's control loop (as ingress-nginx's): it follows Ingresses,
 * IngressClasses and Secrets through the process's shared informers, and Services and
 * EndpointSlices for the data plane to read on each request. An Ingress is its own when its
 * class (spec.ingressClassName, else the kubernetes.io/ingress.class annotation) is an
 * IngressClass whose controller is kubeactor.io/ingress.
 *
 * Keys: "namespace/name" of an Ingress — its status.loadBalancer.ingress[0].ip becomes the
 * listen address (and is cleared when it stops being ours) — and CONFIG_KEY, which rebuilds
 * the route table and the certificates and hands them to the listeners. A TLS Secret that does
 * not parse leaves its hosts on the default certificate, with a Warning event on the Ingress.
 */
import type { Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import type { SecureContext } from 'node:tls';
import { ingressClassOf, KUBEACTOR_INGRESS_CONTROLLER } from '../../api/ingress/classes.ts';
import { resolveBackend, SERVICE_NAME_LABEL, type Resolved } from '../../machines/ingress/endpoints.ts';
import { buildRoutes, tlsSecrets, type BackendRef } from '../../machines/ingress/routes.ts';
import { isNotFound, targets, unwrap } from '../client/index.ts';
import type { Controller, ControllerContext, ControllerDefinition } from '../controllers/framework.ts';
import type { Indexable } from '../informers/indexer.ts';
import { certificateFrom, defaultCertificate, type Certificate } from './certificates.ts';
import { IngressProxy } from './proxy.ts';

/** The key that rebuilds the listeners' configuration (no Ingress key contains a space). */
export const CONFIG_KEY = 'config sync';
export const INGRESS_CONTROLLER_NAME = 'ingress';
/** The Warning reason of a TLS Secret the controller cannot use. */
export const INVALID_TLS_SECRET = 'InvalidTLSSecret';

const keyOf = (o: Indexable): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export function createIngressController(cc: ControllerContext, proxy: IngressProxy, address: string): Controller {
  const config = () => cc.enqueue(CONFIG_KEY);
  const ingressChanged = (o: Indexable) => {
    cc.enqueue(keyOf(o));
    config();
  };
  const classChanged = () => {
    for (const i of ingresses.list()) cc.enqueue(keyOf(i));
    config();
  };
  const ingresses = cc.informer({ target: targets.ingresses(), handlers: { add: ingressChanged, update: (_, o) => ingressChanged(o), delete: ingressChanged } });
  const classes = cc.informer({ target: targets.ingressclasses(), handlers: { add: classChanged, update: classChanged, delete: classChanged } });
  const secrets = cc.informer({ target: targets.secrets(), handlers: { add: config, update: config, delete: config } });
  const services = cc.informer({ target: targets.services() });
  const slices = cc.informer({ target: targets.endpointslices() });
  /** Parsed certificates by Secret key and resourceVersion: a sync parses only what changed. */
  let parsed = new Map<string, Certificate>();
  /** Warnings already given, so a resync does not repeat them. */
  const warned = new Set<string>();

  const isOurs = (ing: Ingress): boolean => {
    const name = ingressClassOf(ing);
    return name !== '' && classes.get(name)?.spec?.controller === KUBEACTOR_INGRESS_CONTROLLER;
  };

  /** Read on every request: the Service and its slices as the caches hold them now. */
  function resolve(b: BackendRef): Resolved {
    const svc: Service | undefined = services.get(`${b.namespace}/${b.service}`);
    const mine: EndpointSlice[] = slices.byIndex('namespace', b.namespace).filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === b.service);
    return resolveBackend(b, svc, mine);
  }
  proxy.setResolver(resolve);

  function syncConfig(): void {
    const ours = ingresses.list().filter(isOurs);
    const next = new Map<string, Certificate>();
    const certificates = new Map<string, SecureContext>();
    for (const [host, secretKey] of tlsSecrets(ours)) {
      const secret: Secret | undefined = secrets.get(secretKey);
      const cacheKey = `${secretKey}@${secret?.metadata?.resourceVersion ?? ''}`;
      const cert = parsed.get(cacheKey) ?? certificateFrom(secret, secretKey);
      next.set(cacheKey, cert);
      if (cert.ok) certificates.set(host, cert.context);
      else warnAbout(ours, secretKey, host, cacheKey, cert.reason);
    }
    parsed = next;
    proxy.configure({ routes: buildRoutes(ours), certificates });
  }

  function warnAbout(ours: Ingress[], secretKey: string, host: string, cacheKey: string, reason: string): void {
    const [ns, name] = secretKey.split('/');
    for (const ing of ours) {
      if (ing.metadata?.namespace !== ns || !(ing.spec?.tls ?? []).some((t) => t.secretName === name && (t.hosts ?? []).some((h) => h.toLowerCase() === host))) continue;
      const once = `${keyOf(ing)} ${cacheKey} ${host}`;
      if (warned.has(once)) continue;
      warned.add(once);
      void cc.events.record(ing, 'Warning', INVALID_TLS_SECRET, `Error obtaining X.509 certificate: ${reason}; host ${host} is served with the default certificate`);
    }
  }

  async function syncStatus(key: string): Promise<void> {
    const ing = ingresses.get(key);
    if (!ing) return;
    const current = ing.status?.loadBalancer?.ingress ?? [];
    const ours = isOurs(ing);
    const want = ours ? [{ ip: address }] : current.filter((i) => i.ip !== address);
    if (JSON.stringify(current) === JSON.stringify(want)) return;
    const status = { ...ing.status, loadBalancer: want.length ? { ingress: want } : {} };
    const r = await cc.api.updateStatus(targets.ingresses(ing.metadata?.namespace, ing.metadata?.name), { ...ing, status });
    if (!r.ok && isNotFound(r.status)) return;
    unwrap(r);
    if (ours) void cc.events.record(ing, 'Normal', 'Sync', 'Scheduled for sync');
  }

  return {
    async sync(key) {
      if (key === CONFIG_KEY) return syncConfig();
      await syncStatus(key);
    },
  };
}

/** The controller's definition, bound to the listeners it configures and the address it reports. */
export function ingressControllerDefinition(proxy: IngressProxy, address: string): ControllerDefinition {
  return {
    name: INGRESS_CONTROLLER_NAME,
    component: 'kubeactor-ingress-controller',
    enabledByDefault: true,
    create: (cc) => createIngressController(cc, proxy, address),
  };
}

/**
 * The controller as a replay rebuilds it from its recorded options: the same decisions, on
 * listeners that never bind (a replay must not take the live run's ports).
 */
export function replayIngressDefinition(recorded: Readonly<Record<string, unknown>>): ControllerDefinition {
  const address = String(recorded.address ?? '');
  const proxy = new IngressProxy({ address, httpPort: 0, httpsPort: 0, defaultCertificate: defaultCertificate() });
  return ingressControllerDefinition(proxy, address);
}
