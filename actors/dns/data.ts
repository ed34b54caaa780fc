/**
 * The cluster data DNS answers from: the process's shared informers on Services,
 * EndpointSlices, Namespaces and Pods (the same caches the controllers read), seen through
 * machines/dns/records.ts's DnsData. It also keeps the zone's SOA serial: the Unix second of
 * the last change any of them saw, as CoreDNS's.
 */
import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Clock } from '../../base/clock.ts';
import { targets } from '../client/index.ts';
import { NAMESPACE_INDEX, type InformerView, type SharedInformerFactory } from '../informers/index.ts';
import type { DnsData } from '../../machines/dns/records.ts';
import { SERVICE_NAME_LABEL } from '../../machines/service-endpoints.ts';


export class InformerDnsData implements DnsData {
  readonly #services: InformerView<Service>;
  readonly #slices: InformerView<EndpointSlice>;
  readonly #namespaces: InformerView<Namespace>;
  readonly #pods: InformerView<Pod>;
  readonly #unsubscribe: (() => void)[] = [];
  #serial: number;

  /** `onChange` hears every add, update and delete (after the serial moved). */
  constructor(factory: SharedInformerFactory, private readonly clock: Clock, onChange: (kind: 'services' | 'endpointslices' | 'namespaces' | 'pods', obj: { metadata?: { namespace?: string; name?: string } }) => void = () => {}) {
    this.#serial = this.#now();
    const watch = <T extends { metadata?: { namespace?: string; name?: string } }>(kind: 'services' | 'endpointslices' | 'namespaces' | 'pods', view: { subscribe(h: object): () => void }) => {
      const changed = (o: T) => {
        this.#serial = Math.max(this.#serial, this.#now());
        onChange(kind, o);
      };
      this.#unsubscribe.push(view.subscribe({ add: changed, update: (_: T, o: T) => changed(o), delete: changed }));
    };
    const services = factory.informer({ target: targets.services() });
    const slices = factory.informer({ target: targets.endpointslices() });
    const namespaces = factory.informer({ target: targets.namespaces() });
    const pods = factory.informer({ target: targets.pods() });
    this.#services = services;
    this.#slices = slices;
    this.#namespaces = namespaces;
    this.#pods = pods;
    watch<Service>('services', services);
    watch<EndpointSlice>('endpointslices', slices);
    watch<Namespace>('namespaces', namespaces);
    // Pods matter only to `pods verified`; their changes do not move the serial.
    this.#unsubscribe.push(pods.subscribe({}));
  }

  /** Whether every informer has listed once (before that, answers would be wrong: SERVFAIL). */
  hasSynced(): boolean {
    return this.#services.hasSynced() && this.#slices.hasSynced() && this.#namespaces.hasSynced();
  }

  get serial(): number {
    return this.#serial;
  }

  service(namespace: string, name: string): Service | undefined {
    return this.#services.get(`${namespace}/${name}`);
  }
  slices(namespace: string, service: string): readonly EndpointSlice[] {
    return this.#slices.byIndex(NAMESPACE_INDEX, namespace).filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === service);
  }
  namespaceExists(namespace: string): boolean {
    return this.#namespaces.get(namespace) !== undefined;
  }
  allServices(): readonly Service[] {
    return this.#services.list();
  }
  allSlices(): readonly EndpointSlice[] {
    return this.#slices.list();
  }
  podWithIP(namespace: string, ip: string): boolean {
    return this.#pods.byIndex(NAMESPACE_INDEX, namespace).some((p) => p.status?.podIP === ip && !p.metadata?.deletionTimestamp);
  }

  close(): void {
    for (const u of this.#unsubscribe.splice(0)) u();
  }

  #now(): number {
    return Math.floor(this.clock.now() / 1000);
  }
}
