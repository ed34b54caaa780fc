/**
 * metrics-server's API storage (pkg/api/node.go, pod.go): `metrics.get` and `metrics.list`
 * from the apiserver, answered from the store. The nodes and pods come from the apiserver,
 * as metrics-server's listers do: their labels and label selectors, their existence (a
 * missing pod is the lister's NotFound), sorted by name. An object without a point yet
 * (fewer than two samples) is NotFound by its metrics resource, or left out of a list.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Port } from '../../bus/bus.ts';
import type { Envelope } from '../../base/envelope.ts';
import type { Clock } from '../../base/clock.ts';
import type { ApiTarget, KubeObject, ListOptions } from '../../bus/catalogue/api.ts';
import { isMessage } from '../../bus/catalogue/index.ts';
import { fail, isNotFound, methodNotAllowed, notFound, ok, status, type Result } from '../../base/status.ts';
import { ApiClient, targets } from '../client/index.ts';
import { formatQuantity } from '../../api/quantity.ts';
import { formatGoDuration } from '../../api/duration.ts';
import { rfc3339 } from '../../api/time.ts';
import { matchesFields, parseFieldSelectorFor } from '../../api/selectors/fields.ts';
import type { MetricsStore, UsagePoint } from '../../machines/metrics-server/store.ts';

const API_VERSION = 'metrics.k8s.io/v1beta1';
const GROUP = 'metrics.k8s.io';

/** A usage point as a ResourceList: CPU in (nano)cores, memory in bytes, canonical quantities. */
export function usageList(u: Pick<UsagePoint, 'cpuNanoCores' | 'memoryBytes'>): { cpu: string; memory: string } {
  return {
    cpu: formatQuantity({ nano: BigInt(u.cpuNanoCores), format: 'DecimalSI' }),
    memory: formatQuantity({ nano: BigInt(u.memoryBytes) * 1_000_000_000n, format: 'BinarySI' }),
  };
}

export class MetricsApi {
  readonly #api: ApiClient;

  constructor(private readonly o: { port: Port; clock: Clock; store: MetricsStore }) {
    this.#api = new ApiClient(o.port);
  }

  handle(env: Envelope): void {
    if (isMessage(env, 'metrics.get')) void this.#reply(env, this.get(env.payload.target));
    else if (isMessage(env, 'metrics.list')) void this.#reply(env, this.list(env.payload.target, env.payload.options));
  }

  async #reply(env: Envelope, answer: Promise<Result<KubeObject>>): Promise<void> {
    this.o.port.reply<'metrics.get'>(env, await answer);
  }

  async get(t: ApiTarget): Promise<Result<KubeObject>> {
    const name = t.name ?? '';
    if (t.resource === 'nodes') {
      const node = await this.#api.get(targets.nodes(undefined, name));
      // The node lister's NotFound (client-go's listers name the resource in the singular).
      if (!node.ok) return isNotFound(node.status) ? fail(status(404, 'NotFound', `node "${name}" not found`, { name, kind: 'node' })) : node;
      const m = this.#nodeMetrics(node.value);
      return m ? ok(m) : fail(notFound('nodes', name, GROUP));
    }
    if (t.resource === 'pods') {
      const ns = t.namespace ?? '';
      const pod = await this.#api.get(targets.pods(ns, name));
      if (!pod.ok) return isNotFound(pod.status) ? fail(notFound('pods', name)) : pod;
      const m = this.#podMetrics(pod.value);
      return m ? ok(m) : fail(notFound('pods', `${ns}/${name}`, GROUP));
    }
    return fail(methodNotAllowed());
  }

  async list(t: ApiTarget, options: ListOptions | undefined): Promise<Result<KubeObject>> {
    const fields = options?.fieldSelector ? parseFieldSelectorFor(options.fieldSelector, []) : ok([]);
    if (!fields.ok) return fields;
    const selected = <T>(items: T[]): T[] => items.filter((o) => matchesFields(fields.value, o));
    if (t.resource === 'nodes') {
      const nodes = await this.#api.list(targets.nodes(), options?.labelSelector);
      if (!nodes.ok) return nodes;
      const items = selected(nodes.value.items).flatMap((n): KubeObject[] => { const m = this.#nodeMetrics(n); return m ? [m] : []; });
      return ok(listOf('NodeMetricsList', items, (o) => String(o.metadata?.name)));
    }
    if (t.resource === 'pods') {
      const pods = await this.#api.list(targets.pods(t.namespace), options?.labelSelector);
      if (!pods.ok) return pods;
      const items = selected(pods.value.items).flatMap((p): KubeObject[] => { const m = this.#podMetrics(p); return m ? [m] : []; });
      return ok(listOf('PodMetricsList', items, (o) => `${o.metadata?.namespace}/${o.metadata?.name}`));
    }
    return fail(methodNotAllowed());
  }

  #nodeMetrics(node: Node): KubeObject | null {
    const name = node.metadata?.name ?? '';
    const u = this.o.store.node(name);
    if (!u) return null;
    return {
      kind: 'NodeMetrics',
      apiVersion: API_VERSION,
      metadata: { name, creationTimestamp: rfc3339(this.o.clock.now()), ...labelsOf(node) },
      timestamp: rfc3339(u.timestamp),
      window: formatGoDuration(u.windowMs),
      usage: usageList(u),
    };
  }

  #podMetrics(pod: Pod): KubeObject | null {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const p = this.o.store.pod(ns, name);
    if (!p) return null;
    return {
      kind: 'PodMetrics',
      apiVersion: API_VERSION,
      metadata: { name, namespace: ns, creationTimestamp: rfc3339(this.o.clock.now()), ...labelsOf(pod) },
      timestamp: rfc3339(p.timestamp),
      window: formatGoDuration(p.windowMs),
      containers: p.containers.map((c) => ({ name: c.name, usage: usageList(c.usage) })),
    };
  }
}

const labelsOf = (o: Node | Pod): { labels?: Record<string, string> } => (o.metadata?.labels ? { labels: o.metadata.labels } : {});

function listOf(kind: string, items: KubeObject[], key: (o: KubeObject) => string): KubeObject {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { kind, apiVersion: API_VERSION, metadata: {}, items: sorted };
}
