import type { KubeletOptions } from '../actors/kubelet/config.ts';
import { DEFAULT_CLIENT_LIMITS, type ClientComponent, type ClientLimitsTable } from '../actors/client/limits.ts';
import { UsageError } from './args.ts';

/**
 * `--kube-api-qps` and `--kube-api-burst`, named as kube-controller-manager and the kubelet name
 * theirs. One process runs several components, so each flag takes COMPONENT=N pairs; `node`
 * (kubelets only) also takes a bare N, as the kubelet's own flag.
 */
export const clientLimitFlagOptions = {
  'kube-api-qps': { type: 'string' },
  'kube-api-burst': { type: 'string' },
} as const;

export interface ClientLimitFlags {
  'kube-api-qps'?: string | undefined;
  'kube-api-burst'?: string | undefined;
}

const d = DEFAULT_CLIENT_LIMITS;

export const UP_CLIENT_LIMIT_FLAGS_HELP = `  --kube-api-qps LIST             client-side rate limits, requests a second each component's client
                                  sends the apiserver, as COMPONENT=N pairs: controller-manager (each
                                  controller has its own client; default ${d['controller-manager'].qps}), scheduler (default
                                  ${d.scheduler.qps}), kubelet (one client per node; default ${d.kubelet.qps}); 0 or less: unlimited;
                                  e.g. --kube-api-qps controller-manager=100,scheduler=100
  --kube-api-burst LIST           how many requests each may send at once before its QPS applies,
                                  COMPONENT=N (defaults controller-manager ${d['controller-manager'].burst}, scheduler ${d.scheduler.burst}, kubelet ${d.kubelet.burst})`;

export const NODE_CLIENT_LIMIT_FLAGS_HELP = `  --kube-api-qps N                requests a second each kubelet's client sends the apiserver (default
                                  ${d.kubelet.qps}; 0 or less: unlimited); kubelet=N also works
  --kube-api-burst N              requests a kubelet may send at once before its QPS applies (default ${d.kubelet.burst})`;

/** The limits the flags ask for, by component; `components` are the ones this command runs. */
export function clientLimitsFrom(values: ClientLimitFlags, components: readonly ClientComponent[]): ClientLimitsTable {
  const table: ClientLimitsTable = {};
  const put = (flag: 'kube-api-qps' | 'kube-api-burst', key: 'qps' | 'burst', parse: (v: string) => number | undefined, what: string) => {
    const value = values[flag];
    if (value === undefined) return;
    const bare = components.length === 1 && !value.includes('=');
    for (const item of bare ? [`${components[0]}=${value}`] : value.split(',').map((s) => s.trim()).filter(Boolean)) {
      const eq = item.indexOf('=');
      const component = item.slice(0, eq) as ClientComponent;
      if (eq < 0 || !components.includes(component)) {
        throw new UsageError(`--${flag} takes COMPONENT=N pairs with COMPONENT one of ${components.join(', ')}, got "${item}"`);
      }
      const n = parse(item.slice(eq + 1));
      if (n === undefined) throw new UsageError(`--${flag}: ${component} must be ${what}, got "${item.slice(eq + 1)}"`);
      table[component] = { ...table[component], [key]: n };
    }
  };
  put('kube-api-qps', 'qps', (v) => (v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined), 'a number');
  put('kube-api-burst', 'burst', (v) => (/^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined), 'a positive integer');
  return table;
}

/** The kubelet's part of the table, as KubeletConfiguration names it. */
export function kubeletLimits(table: ClientLimitsTable): Pick<KubeletOptions, 'kubeAPIQPS' | 'kubeAPIBurst'> {
  const k = table.kubelet;
  return { ...(k?.qps === undefined ? {} : { kubeAPIQPS: k.qps }), ...(k?.burst === undefined ? {} : { kubeAPIBurst: k.burst }) };
}
