/**
 * A control plane core (memory kv + apiserver) on an in-process bus with a virtual clock,
 * and a bus client for specs: typed calls to the apiserver and a collector of watch events.
 */
import { InProcessBus } from '../../../bus/inprocess.ts';
import type { Port } from '../../../bus/bus.ts';
import type { Envelope } from '../../../base/envelope.ts';
import type { ApiTarget, KubeObject, WatchEvent } from '../../../bus/catalogue/api.ts';
import type { PayloadOf, ReplyOf, RequestType } from '../../../bus/catalogue/index.ts';
import type { Result } from '../../../base/status.ts';
import { ActorHost } from '../../../actors/host.ts';
import { VirtualClock, settle } from '../../../actors/clock/virtual.ts';
import { silentLogger } from '../../../actors/logger.ts';
import { MemoryKv } from '../../../actors/kv/memory.ts';
import { startControlPlaneCore, type ControlPlaneCore } from '../../../actors/apiserver/start.ts';
import type { ApiServerActorOptions } from '../../../actors/apiserver/actor.ts';

export const t = {
  pods: (namespace = 'default', name?: string, subresource?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'pods', namespace, ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) }),
  cm: (namespace = 'default', name?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'configmaps', namespace, ...(name ? { name } : {}) }),
  ns: (name?: string, subresource?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'namespaces', ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) }),
  nodes: (name?: string, subresource?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'nodes', ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) }),
  svc: (namespace = 'default', name?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'services', namespace, ...(name ? { name } : {}) }),
  deploy: (namespace = 'default', name?: string, subresource?: string): ApiTarget => ({ group: 'apps', version: 'v1', resource: 'deployments', namespace, ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) }),
  leases: (namespace = 'kube-node-lease', name?: string): ApiTarget => ({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace, ...(name ? { name } : {}) }),
  events: (namespace = 'default', name?: string): ApiTarget => ({ group: '', version: 'v1', resource: 'events', namespace, ...(name ? { name } : {}) }),
};

export const pod = (name: string, extra: Partial<KubeObject> & { labels?: Record<string, string>; nodeName?: string } = {}): KubeObject => {
  const { labels, nodeName, ...rest } = extra;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...(nodeName ? { nodeName } : {}) },
    ...rest,
  };
};

export const cm = (name: string, data: Record<string, string> = { a: '1' }, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});

export interface Client {
  port: Port;
  events: Map<string, WatchEvent[]>;
  ended: Map<string, KubeObject>;
  call<T extends RequestType>(type: T, payload: PayloadOf<T>): Promise<Result<ReplyOf<T>>>;
  /** The value, or throws with the Status message. */
  must<T extends RequestType>(type: T, payload: PayloadOf<T>): Promise<ReplyOf<T>>;
}

export interface Harness {
  clock: VirtualClock;
  bus: InProcessBus;
  host: ActorHost;
  backend: MemoryKv;
  core: ControlPlaneCore;
  client(address?: string): Client;
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** `backend`: a store an earlier harness left (a restarted apiserver over the same data). */
export async function start(opts: ApiServerActorOptions & { historyLimit?: number; backend?: MemoryKv; inboxLimit?: number } = {}): Promise<Harness> {
  const clock = new VirtualClock();
  const bus = new InProcessBus({ clock, ...(opts.inboxLimit ? { inboxLimit: opts.inboxLimit } : {}) });
  const host = new ActorHost({ bus, clock, seed: 7, logger: silentLogger });
  const backend = opts.backend ?? new MemoryKv(opts.historyLimit ? { historyLimit: opts.historyLimit } : {});
  // As Kubernetes' integration test servers run: no controller-manager here makes ServiceAccounts or
  // kube-root-ca.crt, so the ServiceAccount plugin is off unless a spec turns it on (`disableAdmissionPlugins: []`).
  const { backend: _given, historyLimit: _limit, inboxLimit: _inbox, ...rest } = opts;
  const apiserver = { disableAdmissionPlugins: ['ServiceAccount' as const], ...rest };
  const core = startControlPlaneCore({ bus, host, backend, apiserver });
  await core.ready();
  const clients = new Map<string, Client>();
  const h: Harness = {
    clock,
    bus,
    host,
    backend,
    core,
    client(address = 'spec') {
      const known = clients.get(address);
      if (known) return known;
      const events = new Map<string, WatchEvent[]>();
      const ended = new Map<string, KubeObject>();
      const port = bus.register(address, (env: Envelope) => {
        if (env.type === 'api.watch-events') {
          const p = env.payload as { id: string; events: WatchEvent[] };
          events.set(p.id, [...(events.get(p.id) ?? []), ...p.events]);
        } else if (env.type === 'api.watch-ended') {
          const p = env.payload as { id: string; status: KubeObject };
          ended.set(p.id, p.status);
        } else if (env.type === 'sys.ping' && env.corr) {
          port.reply<'sys.ping'>(env, { ok: true, value: { address, n: 0 } });
        }
      });
      const c: Client = {
        port,
        events,
        ended,
        call: (type, payload) => port.request(APISERVER, type, payload),
        async must(type, payload) {
          const r = await port.request(APISERVER, type, payload);
          if (!r.ok) throw new Error(`${type} failed: ${r.status.code} ${r.status.reason}: ${r.status.message}`);
          return r.value;
        },
      };
      clients.set(address, c);
      return c;
    },
    settle: async () => {
      for (let i = 0; i < 5; i++) await settle();
    },
    async close() {
      core.stop();
      await bus.close();
      await backend.close();
    },
  };
  return h;
}

const APISERVER = 'apiserver';

/** The events of watch `id` so far, as "TYPE name" strings (BOOKMARK as "BOOKMARK <rv>"). */
export function summary(events: WatchEvent[] | undefined): string[] {
  return (events ?? []).map((e) => (e.type === 'BOOKMARK' ? `BOOKMARK` : `${e.type} ${e.object.metadata?.name}`));
}

/** A Deployment of one nginx container whose selector matches its template. */
export const deployment = (name: string, replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
  },
});
