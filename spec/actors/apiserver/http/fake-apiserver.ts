/**
 * A stand-in apiserver for the HTTP front's specs: a map of objects behind the `api.*`
 * protocol, with merge patches and watches, and no validation. It lets the front be tested
 * on its own; spec/e2e drives the real apiserver.
 */
import type { Bus, Port } from '../../../../bus/bus.ts';
import type { Envelope } from '../../../../base/envelope.ts';
import type { ApiTarget, KubeObject } from '../../../../bus/catalogue/api.ts';
import { alreadyExists, expired, fail, notFound, ok, type Result } from '../../../../base/status.ts';

type Obj = KubeObject & { metadata: NonNullable<KubeObject['metadata']> };

export interface FakeApiserver {
  port: Port;
  objects: Map<string, Obj>;
  requests: Envelope[];
  watches: Map<string, { address: string; target: ApiTarget }>;
  /** Ends a watch as the apiserver does after compaction. */
  endWatch(id: string): void;
}

const keyOf = (t: ApiTarget, name = t.name ?? '') => `${t.group}/${t.resource}/${t.namespace ?? ''}/${name}`;
const prefixOf = (t: ApiTarget) => `${t.group}/${t.resource}/${t.namespace === undefined ? '' : t.namespace + '/'}`;

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function startFakeApiserver(bus: Bus, address = 'apiserver'): FakeApiserver {
  const objects = new Map<string, Obj>();
  const requests: Envelope[] = [];
  const watches = new Map<string, { address: string; target: ApiTarget }>();
  let rv = 100;
  let uid = 0;

  const notify = (type: 'ADDED' | 'MODIFIED' | 'DELETED', key: string, object: Obj) => {
    for (const [id, w] of watches) {
      if (key.startsWith(prefixOf(w.target))) port.send(w.address, 'api.watch-events', { id, events: [{ type, object }] });
    }
  };
  const store = (key: string, o: Obj, created: boolean) => {
    o.metadata.resourceVersion = String(++rv);
    objects.set(key, o);
    notify(created ? 'ADDED' : 'MODIFIED', key, o);
    return o;
  };

  const handle = (env: Envelope): Result<unknown> => {
    const p = env.payload as { target: ApiTarget; object?: Obj; patch?: unknown; resourceVersion?: string; id?: string; options?: { resourceVersion?: string; labelSelector?: string } };
    const t = p.target;
    const key = keyOf(t);
    const existing = objects.get(key);
    switch (env.type) {
      case 'api.get':
        return existing ? ok(existing) : fail(notFound(t.resource, t.name ?? '', t.group || undefined));
      case 'api.list': {
        let items = [...objects.entries()].filter(([k]) => k.startsWith(prefixOf(t))).map(([, o]) => o);
        const sel = p.options?.labelSelector;
        if (sel) {
          const [k, v] = sel.split('=');
          items = items.filter((o) => o.metadata.labels?.[k!] === v);
        }
        return ok({ kind: 'List', apiVersion: t.group ? `${t.group}/${t.version}` : t.version, metadata: { resourceVersion: String(rv) }, items });
      }
      case 'api.create': {
        const o = structuredClone(p.object!) as Obj;
        o.metadata ??= {};
        const k = keyOf(t, o.metadata.name);
        if (objects.has(k)) return fail(alreadyExists(t.resource, o.metadata.name ?? '', t.group || undefined));
        o.metadata.namespace = t.namespace;
        o.metadata.uid = `uid-${++uid}`;
        o.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        return ok({ object: store(k, o, true), created: true });
      }
      case 'api.update':
        if (!existing) return fail(notFound(t.resource, t.name ?? ''));
        return ok({ object: store(key, { ...structuredClone(p.object!), metadata: { ...existing.metadata, ...p.object!.metadata } } as Obj, false) });
      case 'api.patch':
        if (!existing) return fail(notFound(t.resource, t.name ?? ''));
        return ok({ object: store(key, (Array.isArray(p.patch) ? existing : mergePatch(existing, p.patch)) as Obj, false) });
      case 'api.delete':
        if (!existing) return fail(notFound(t.resource, t.name ?? ''));
        objects.delete(key);
        notify('DELETED', key, existing);
        return ok({ object: existing });
      case 'api.watch': {
        if (p.options?.resourceVersion === '1') return fail(expired('too old resource version: 1 (100)'));
        watches.set(p.id!, { address: env.from, target: t });
        if (!p.options?.resourceVersion) {
          const events = [...objects.entries()].filter(([k]) => k.startsWith(prefixOf(t))).map(([, object]) => ({ type: 'ADDED' as const, object }));
          if (events.length) port.send(env.from, 'api.watch-events', { id: p.id!, events });
        }
        return ok({ id: p.id!, resourceVersion: String(rv) });
      }
      default:
        return ok({});
    }
  };

  const port = bus.register(address, (env) => {
    requests.push(env);
    if (env.type === 'api.unwatch') {
      watches.delete((env.payload as { id: string }).id);
      return;
    }
    port.reply(env, handle(env) as Result<never>);
  });
  return {
    port,
    objects,
    requests,
    watches,
    endWatch(id) {
      const w = watches.get(id);
      if (!w) return;
      watches.delete(id);
      port.send(w.address, 'api.watch-ended', { id, status: expired('too old resource version') as unknown as KubeObject });
    },
  };
}
