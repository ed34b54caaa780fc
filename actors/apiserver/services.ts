/**
 * Service cluster IP and node port allocation around a write. A create or update reserves
 * what it needs before storing; `rollback` gives it back when the write does not happen
 * (dryRun, lost compare, invalid), `commit` releases what the new object no longer holds.
 */
import type { KubeObject } from '../../bus/catalogue/api.ts';
import { invalid, type StatusCause } from '../../base/status.ts';
import type { ServerContext } from './context.ts';
import type { ResourceInfo } from './resources.ts';

interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
  nodePort?: number;
  [k: string]: unknown;
}
interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  [k: string]: unknown;
}

export interface Reservation {
  object: KubeObject;
  commit(): void;
  rollback(): void;
}

const specOf = (o: KubeObject | undefined): ServiceSpec => (o?.spec ?? {}) as ServiceSpec;
const needsNodePorts = (t: string | undefined) => t === 'NodePort' || t === 'LoadBalancer';
const portKey = (p: ServicePort) => `${p.port}/${p.protocol ?? 'TCP'}`;
/** kube-apiserver allocates a healthCheckNodePort only for a LoadBalancer with externalTrafficPolicy Local. */
const needsHealthCheck = (spec: ServiceSpec) => spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';

/**
 * What a resource's REST storage does around a write besides storing it (Kubernetes' service
 * storage BeginCreate / BeginUpdate / AfterDelete): reserve what the object needs before it is
 * stored, release what a deleted one held. Only Services have any: their cluster IP and node
 * ports are allocations, not object fields a strategy could set.
 */
export interface WriteHooks {
  reserve: typeof reserve;
  release: typeof releaseHeld;
}

const SERVICE_HOOKS: WriteHooks = { reserve, release: releaseHeld };

/** The write hooks of `res`'s storage; null for every resource but services. */
export function writeHooksOf(res: ResourceInfo): WriteHooks | null {
  return res.gr === 'services' ? SERVICE_HOOKS : null;
}

/** What a stored Service holds: its cluster IP and node ports. */
export function heldBy(obj: KubeObject | undefined): { ip: string | null; ports: number[] } {
  const spec = specOf(obj);
  const ip = spec.clusterIP && spec.clusterIP !== 'None' && spec.type !== 'ExternalName' ? spec.clusterIP : null;
  const ports = [...(spec.ports ?? []).map((p) => p.nodePort), spec.healthCheckNodePort].filter((n): n is number => typeof n === 'number');
  return { ip, ports };
}

/** Marks what `obj` holds as in use (boot, after priming the cache). */
export function claimHeld(s: ServerContext, obj: KubeObject): void {
  const { ip, ports } = heldBy(obj);
  if (ip) s.clusterIPs.claim(ip);
  for (const p of ports) s.nodePorts.claim(p);
}

export function releaseHeld(s: ServerContext, obj: KubeObject | undefined): void {
  const { ip, ports } = heldBy(obj);
  if (ip) s.clusterIPs.release(ip);
  for (const p of ports) s.nodePorts.release(p);
}

/** Reserves cluster IP and node ports for `obj` (a create when `old` is absent); a 422 Status on a taken or out-of-range request. */
export function reserve(s: ServerContext, obj: KubeObject, old?: KubeObject): { ok: true; value: Reservation } | { ok: false; status: ReturnType<typeof invalid> } {
  const spec: ServiceSpec = { ...specOf(obj) };
  const oldSpec = specOf(old);
  const oldHeld = heldBy(old);
  const ips: string[] = [];
  const ports: number[] = [];
  const causes: StatusCause[] = [];
  const undo = () => {
    for (const ip of ips) s.clusterIPs.release(ip);
    for (const p of ports) s.nodePorts.release(p);
  };

  if (spec.type !== 'ExternalName') {
    if (old && oldHeld.ip && (!spec.clusterIP || spec.clusterIP === oldHeld.ip)) {
      spec.clusterIP = oldHeld.ip;
    } else if (spec.clusterIP && spec.clusterIP !== 'None') {
      const got = s.clusterIPs.claim(spec.clusterIP);
      if (got === 'ok') ips.push(spec.clusterIP);
      else {
        const why = got === 'taken' ? 'provided IP is already allocated' : `provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${s.clusterIPs.cidr}`;
        causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${spec.clusterIP}"}: failed to allocate IP ${spec.clusterIP}: ${why}` });
      }
    } else if (!spec.clusterIP) {
      const ip = s.clusterIPs.allocate();
      if (ip) {
        ips.push(ip);
        spec.clusterIP = ip;
      } else causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: 'Internal error: range is full' });
    }
    if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
  }

  if (needsNodePorts(spec.type) && spec.ports) {
    const oldByKey = new Map((oldSpec.ports ?? []).filter((p) => p.nodePort).map((p) => [portKey(p), p.nodePort!]));
    spec.ports = spec.ports.map((p, i) => {
      const q = { ...p };
      const mine = oldHeld.ports.includes(q.nodePort ?? -1);
      if (q.nodePort !== undefined && !mine) {
        const got = s.nodePorts.claim(q.nodePort);
        if (got === 'ok') ports.push(q.nodePort);
        else {
          const why = got === 'taken' ? 'provided port is already allocated' : `provided port is not in the valid range. The range of valid ports is ${s.nodePorts.range}`;
          causes.push({ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${q.nodePort}: ${why}` });
        }
      } else if (q.nodePort === undefined) {
        const reuse = oldByKey.get(portKey(q));
        if (reuse !== undefined) q.nodePort = reuse;
        else {
          const n = s.nodePorts.allocate();
          if (n !== null) {
            ports.push(n);
            q.nodePort = n;
          }
        }
      }
      return q;
    });
  } else if (spec.ports && !needsNodePorts(spec.type)) {
    spec.ports = spec.ports.map(({ nodePort: _n, ...rest }) => rest);
  }

  if (needsHealthCheck(spec)) {
    const asked = spec.healthCheckNodePort;
    if (asked !== undefined && asked !== oldSpec.healthCheckNodePort) {
      const got = s.nodePorts.claim(asked);
      if (got === 'ok') ports.push(asked);
      else {
        const why = got === 'taken' ? 'provided port is already allocated' : `provided port is not in the valid range. The range of valid ports is ${s.nodePorts.range}`;
        causes.push({ reason: 'FieldValueInvalid', field: 'spec.healthCheckNodePort', message: `Invalid value: ${asked}: ${why}` });
      }
    } else if (asked === undefined) {
      const n = oldSpec.healthCheckNodePort ?? s.nodePorts.allocate();
      if (n !== null) {
        if (n !== oldSpec.healthCheckNodePort) ports.push(n);
        spec.healthCheckNodePort = n;
      }
    }
  } else delete spec.healthCheckNodePort;

  if (causes.length) {
    undo();
    return { ok: false, status: invalid('Service', obj.metadata?.name ?? '', causes) };
  }
  const object = { ...obj, spec };
  return {
    ok: true,
    value: {
      object,
      rollback: undo,
      commit: () => {
        if (!old) return;
        // Release what the old object held and the new one does not.
        const now = heldBy(object);
        if (oldHeld.ip && oldHeld.ip !== now.ip) s.clusterIPs.release(oldHeld.ip);
        for (const p of oldHeld.ports) if (!now.ports.includes(p)) s.nodePorts.release(p);
      },
    },
  };
}
