/** Printers for Ingress and IngressClass, as Kubernetes' printIngress and printIngressClass. */
import type { JsonObject } from '../json.ts';
import { since } from './duration.ts';
import { arr, createdOf, nameOf, obj, specOf, statusOf, str } from './meta.ts';
import { AGE_COLUMN, NAME_COLUMN, col, type Printer } from './table.ts';

/** formatHosts: the first three rule hosts, "+ N more..." after them, "*" when no rule names one. */
function formatHosts(rules: unknown[]): string {
  const hosts = rules.map((r) => str(obj(r).host)).filter(Boolean).slice(0, 3);
  if (hosts.length === 0) return '*';
  return rules.length > 3 ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

/** ingressLoadBalancerStatusStringer: the sorted distinct IPs (or hostnames) of status.loadBalancer.ingress. */
function addresses(o: JsonObject): string {
  const all = arr(obj(statusOf(o).loadBalancer).ingress).map(obj).map((i) => str(i.ip) || str(i.hostname)).filter(Boolean);
  return [...new Set(all)].sort().join(',');
}

export const ingressPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE_COLUMN,
  ],
  cells(o, now) {
    const spec = specOf(o);
    const ports = arr(spec.tls).length ? '80, 443' : '80';
    return [nameOf(o), str(spec.ingressClassName) || '<none>', formatHosts(arr(spec.rules)), addresses(o), ports, since(createdOf(o), now)];
  },
};

export const ingressClassPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Controller', 'string', 'Controller that is going to handle the resource'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    AGE_COLUMN,
  ],
  cells(o, now) {
    const spec = specOf(o);
    const p = spec.parameters === undefined ? undefined : obj(spec.parameters);
    const parameters = p ? `${str(p.kind)}${p.apiGroup === undefined ? '' : `.${str(p.apiGroup)}`}/${str(p.name)}` : '<none>';
    return [nameOf(o), str(spec.controller), parameters, since(createdOf(o), now)];
  },
};
