/**
 * Printers for core/v1 kinds, as Kubernetes' printNode, printService, printEndpoints,
 * printNamespace, printConfigMap, printSecret, printServiceAccount and printEvent.
 */
import type { JsonObject } from '../json.ts';
import { since } from './duration.ts';
import { arr, createdOf, listOrNone, metaOf, nameOf, num, obj, selectorString, specOf, statusOf, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';

/** Roles from node-role.kubernetes.io/<role> labels and the kubernetes.io/role label, sorted. */
function nodeRoles(node: JsonObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(obj(metaOf(node).labels))) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(String(v));
  }
  return [...roles].sort();
}

export const nodePrinter: Printer = {
  columns: [NAME_COLUMN, col('Status', 'string', 'The status of the node'), col('Roles', 'string', 'The roles of the node'), AGE_COLUMN, col('Version', 'string', 'Kubelet Version reported by the node.'), col('Internal-IP', 'string', 'List of internal IPs.', 1), col('External-IP', 'string', 'List of external IPs.', 1), col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1), col('Kernel-Version', 'string', 'Kernel Version reported by the node.', 1), col('Container-Runtime', 'string', 'Container Runtime Version reported by the node.', 1)],
  cells(o, now) {
    const s = statusOf(o);
    const ready = arr(s.conditions).map(obj).find((c) => c.type === 'Ready');
    const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
    if (specOf(o).unschedulable === true) status.push('SchedulingDisabled');
    const addr = (type: string) => str(arr(s.addresses).map(obj).find((a) => a.type === type)?.address) || '<none>';
    const info = obj(s.nodeInfo);
    const orUnknown = (x: unknown) => str(x) || '<unknown>';
    return [nameOf(o), status.join(','), listOrNone(nodeRoles(o)), since(createdOf(o), now), str(info.kubeletVersion), addr('InternalIP'), addr('ExternalIP'), orUnknown(info.osImage), orUnknown(info.kernelVersion), orUnknown(info.containerRuntimeVersion)];
  },
};

function externalIP(svc: JsonObject): string {
  const spec = specOf(svc);
  const external = arr(spec.externalIPs).map(String);
  switch (str(spec.type, 'ClusterIP')) {
    case 'LoadBalancer': {
      const ingress = arr(obj(statusOf(svc).loadBalancer).ingress).map(obj).map((i) => str(i.ip) || str(i.hostname)).filter(Boolean);
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return listOrNone(external);
  }
}

const servicePorts = (svc: JsonObject): string =>
  listOrNone(arr(specOf(svc).ports).map(obj).map((p) => {
    const proto = str(p.protocol, 'TCP');
    return num(p.nodePort) > 0 ? `${num(p.port)}:${num(p.nodePort)}/${proto}` : `${num(p.port)}/${proto}`;
  }));

export const servicePrinter: Printer = {
  columns: [NAME_COLUMN, col('Type', 'string', 'type determines how the Service is exposed.'), col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'), col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'), col('Port(s)', 'string', 'The list of ports that are exposed by this service.'), AGE_COLUMN, col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1)],
  cells(o, now) {
    const spec = specOf(o);
    return [nameOf(o), str(spec.type, 'ClusterIP'), str(spec.clusterIP) || '<none>', externalIP(o), servicePorts(o), since(createdOf(o), now), selectorString(spec.selector) || '<none>'];
  },
};

/** formatEndpoints: up to three ip:port pairs, then "+ N more...". */
function formatEndpoints(ep: JsonObject): string {
  const subsets = arr(ep.subsets).map(obj);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addrs = arr(ss.addresses).map((a) => str(obj(a).ip));
    const ports = arr(ss.ports).map(obj);
    for (const port of ports.length ? ports : [undefined]) {
      count += addrs.length;
      for (const ip of addrs) {
        if (list.length === 3) break;
        list.push(port ? `${ip.includes(':') ? `[${ip}]` : ip}:${num(port.port)}` : ip);
      }
    }
  }
  return count > 3 ? `${list.join(',')} + ${count - 3} more...` : list.join(',');
}

export const endpointsPrinter: Printer = {
  columns: [NAME_COLUMN, col('Endpoints', 'string', 'Endpoints of the service'), AGE_COLUMN],
  cells: (o, now) => [nameOf(o), formatEndpoints(o), since(createdOf(o), now)],
};

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, col('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  cells: (o, now) => [nameOf(o), str(statusOf(o).phase), since(createdOf(o), now)],
};

const dataCount = (o: JsonObject): number => Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length;

export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, col('Data', 'string', 'Data contains the configuration data.'), AGE_COLUMN],
  cells: (o, now) => [nameOf(o), dataCount(o), since(createdOf(o), now)],
};

export const secretPrinter: Printer = {
  columns: [NAME_COLUMN, col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'string', 'Data contains the secret data.'), AGE_COLUMN],
  cells: (o, now) => [nameOf(o), str(o.type, 'Opaque'), Object.keys(obj(o.data)).length + Object.keys(obj(o.stringData)).length, since(createdOf(o), now)],
};

export const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), AGE_COLUMN],
  cells: (o, now) => [nameOf(o), arr(o.secrets).length, since(createdOf(o), now)],
};

function eventSource(o: JsonObject): string {
  const src = obj(o.source);
  const component = str(src.component) || str(o.reportingController);
  const host = str(src.host) || str(o.reportingInstance);
  return host ? `${component}, ${host}` : component;
}

export const eventPrinter: Printer = {
  columns: [col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'), col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'), col('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'), col('Object', 'string', 'The object that this event is about.'), col('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', 1), col('Source', 'string', 'The component reporting this event.', 1), col('Message', 'string', 'A human-readable description of the status of this operation.'), col('First Seen', 'string', 'The time at which the event was first recorded.', 1), col('Count', 'string', 'The number of times this event has occurred.', 1), { ...NAME_COLUMN, priority: 1 }],
  cells(o, now) {
    const first = since(o.firstTimestamp ?? o.eventTime, now);
    let last = o.lastTimestamp ? since(o.lastTimestamp, now) : first;
    let count = num(o.count);
    const series = o.series === undefined ? undefined : obj(o.series);
    if (series) {
      last = since(series.lastObservedTime, now);
      count = num(series.count);
    } else if (count === 0) count = 1;
    const inv = obj(o.involvedObject);
    const target = str(inv.name) ? `${str(inv.kind).toLowerCase()}/${str(inv.name)}` : str(inv.kind).toLowerCase();
    return [last, str(o.type), str(o.reason), target, str(inv.fieldPath), eventSource(o), str(o.message).trim(), first, count, nameOf(o)];
  },
};

