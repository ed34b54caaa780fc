/**
 * The container environment's effects: reads the ConfigMaps and Secrets a container's env
 * and envFrom reference (through the kubelet's watched-object cache) and, for a runtime
 * that runs processes, the Services for service links (one kubelet-wide informer, started
 * on first use), then builds the environment with the pure `containerEnv`.
 */
import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { Port } from '../../../bus/bus.ts';
import type { Envelope } from '../../../base/envelope.ts';
import type { Clock } from '../../../base/clock.ts';
import { fail, notFound, ok, status, type Result } from '../../../base/status.ts';
import { Informer } from '../../informer.ts';
import { targets } from '../../client/index.ts';
import { containerEnv, envReferences, type EnvOutcome } from '../../../machines/kubelet/env/container.ts';
import { serviceEnvMap } from '../../../machines/kubelet/env/services.ts';
import type { ObjectCache, ObjectResource } from '../volumes/objects.ts';

export interface EnvResolverOptions {
  port: Port;
  clock: Clock;
  objects: ObjectCache;
  /** Build service-link variables (a runtime that runs processes; the sim needs none). */
  serviceLinks: boolean;
  allocatable: Record<string, string>;
  hostIP: string;
}

export class EnvResolver {
  #services: Informer | null = null;
  #servicesStarted: Promise<void> | null = null;

  constructor(private readonly o: EnvResolverOptions) {}

  handle(env: Envelope): boolean {
    return this.#services?.handle(env) ?? false;
  }

  stop(): void {
    this.#services?.stop();
    this.#services = null;
    this.#servicesStarted = null;
  }

  async #serviceList(): Promise<Service[]> {
    if (!this.#services) {
      this.#services = new Informer({ port: this.o.port, clock: this.o.clock, target: targets.services(), handlers: {}, name: 'kubelet-services' });
      this.#servicesStarted = this.#services.start();
    }
    // `stop` may come while the list is on its way (the kubelet shutting down): answer what was listed.
    const services = this.#services;
    await this.#servicesStarted;
    return services.list() as Service[];
  }

  async #read<T>(resource: ObjectResource, ns: string, names: Set<string>, uid: string): Promise<Map<string, Result<T>>> {
    const out = new Map<string, Result<T>>();
    for (const name of names) {
      const got = await this.o.objects.get(resource, ns, name, uid);
      out.set(name, got === null ? fail(notFound(resource, name)) : 'error' in got && Object.keys(got).length === 1 ? fail(status(500, 'InternalError', String(got.error))) : ok(got as T));
    }
    return out;
  }

  /** The container's env, command and args, or kubelet's CreateContainerConfigError message. */
  async resolve(pod: Pod, c: Container, podIPs: readonly string[]): Promise<EnvOutcome> {
    const ns = pod.metadata?.namespace ?? 'default';
    const uid = pod.metadata?.uid ?? '';
    const refs = envReferences(c);
    const services = this.o.serviceLinks ? await this.#serviceList() : [];
    return containerEnv({
      pod,
      container: c,
      addresses: { hostIPs: [this.o.hostIP], podIPs },
      allocatable: this.o.allocatable,
      serviceEnv: serviceEnvMap(services, ns, pod.spec?.enableServiceLinks ?? true),
      configMaps: await this.#read<ConfigMap>('configmaps', ns, refs.configMaps, uid),
      secrets: await this.#read<Secret>('secrets', ns, refs.secrets, uid),
    });
  }
}
