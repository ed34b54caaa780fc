/**
 * A pod's /etc/resolv.conf and /etc/hosts, as kubelet makes them (pkg/kubelet/network/dns
 * and kubelet_pods.go's managedHostsFileContent).
 *
 * dnsPolicy: ClusterFirst (the default) — the cluster's DNS (clusterDNS), searches
 * `<ns>.svc.<domain> svc.<domain> <domain>` then the host's, `options ndots:5`; a hostNetwork
 * pod with ClusterFirst gets Default, as does any pod when the kubelet has no clusterDNS
 * (with a MissingClusterDNS event). ClusterFirstWithHostNet — ClusterFirst, hostNetwork or
 * not. Default — the host's resolv.conf (kubelet's --resolv-conf). None — nothing but the
 * pod's dnsConfig. A dnsConfig is then merged in: nameservers and searches appended without
 * duplicates, options by name (the pod's value wins). At most 3 nameservers are kept.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

/** The kubelet's cluster DNS settings (--cluster-dns, --cluster-domain). */
export interface ClusterDnsSettings {
  clusterDNS: readonly string[];
  clusterDomain: string;
}

/** glibc's MAXNS, kubelet's validation.MaxDNSNameservers. */
export const MAX_DNS_NAMESERVERS = 3;
const DEFAULT_OPTIONS = ['ndots:5'];

/** Reads a resolv.conf's nameserver, search (and domain) and options lines. */
export function parseResolvConf(text: string): ResolvConf {
  const c: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const w = line.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (w[0] === 'nameserver' && w[1]) c.nameservers.push(w[1]);
    else if (w[0] === 'search' || w[0] === 'domain') c.searches = w.slice(1).filter((s) => s !== '.');
    else if (w[0] === 'options') c.options.push(...w.slice(1));
  }
  return c;
}

/** The file's text, as the container runtime writes it (search, nameserver, options lines). */
export function formatResolvConf(c: ResolvConf): string {
  let out = '';
  if (c.searches.length) out += `search ${c.searches.join(' ')}\n`;
  for (const ns of c.nameservers) out += `nameserver ${ns}\n`;
  if (c.options.length) out += `options ${c.options.join(' ')}\n`;
  return out;
}

export type DnsPolicyOutcome = { config: ResolvConf; warning?: { reason: 'MissingClusterDNS'; message: string } };

/** What kubelet's GetPodDNS decides for `pod`, given the host's resolv.conf. */
export function podDnsConfig(pod: Pod, settings: ClusterDnsSettings, host: ResolvConf): DnsPolicyOutcome {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  let type: 'cluster' | 'host' | 'none';
  if (policy === 'None') type = 'none';
  else if (policy === 'ClusterFirstWithHostNet') type = 'cluster';
  else if (policy === 'ClusterFirst') type = pod.spec?.hostNetwork ? 'host' : 'cluster';
  else type = 'host';
  let warning: DnsPolicyOutcome['warning'];
  if (type === 'cluster' && settings.clusterDNS.length === 0) {
    warning = {
      reason: 'MissingClusterDNS',
      message: `pod: "${podName(pod)}". kubelet does not have ClusterDNS IP configured and cannot create Pod using "${policy}" policy. Falling back to "Default" policy.`,
    };
    type = 'host';
  }
  let config: ResolvConf;
  if (type === 'cluster') {
    const d = settings.clusterDomain;
    const ns = pod.metadata?.namespace ?? 'default';
    config = { nameservers: [...settings.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches], options: [...DEFAULT_OPTIONS] };
  } else if (type === 'host') {
    config = { nameservers: [...host.nameservers], searches: [...host.searches], options: [...host.options] };
  } else {
    config = { nameservers: [], searches: [], options: [] };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    config.nameservers = unique([...config.nameservers, ...(extra.nameservers ?? [])]);
    config.searches = unique([...config.searches, ...(extra.searches ?? [])]);
    config.options = mergeOptions(config.options, (extra.options ?? []).map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : o.name ?? '')));
  }
  config.nameservers = config.nameservers.slice(0, MAX_DNS_NAMESERVERS);
  return warning ? { config, warning } : { config };
}

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

/** Options by name, a later one replacing an earlier one of the same name in place. */
function mergeOptions(base: readonly string[], more: readonly string[]): string[] {
  const byName = new Map<string, string>();
  for (const o of [...base, ...more]) if (o) byName.set(o.split(':')[0]!, o);
  return [...byName.values()];
}

const podName = (pod: Pod): string => `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? 'default'}(${pod.metadata?.uid ?? ''})`;

/** The pod's hostname and, with a subdomain, its domain (kubelet's GeneratePodHostNameAndDomain). */
export function podHostname(pod: Pod, clusterDomain: string): { hostname: string; domain?: string } {
  const hostname = (pod.spec?.hostname || pod.metadata?.name || '').slice(0, 63).replace(/[-.]+$/, '');
  const sub = pod.spec?.subdomain;
  return sub ? { hostname, domain: `${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}` } : { hostname };
}

/**
 * The pod's /etc/hosts: kubelet's managed file (localhost lines, the pod IPs with the
 * hostname, and the FQDN with a subdomain), or for a hostNetwork pod the node's own
 * /etc/hosts; then the pod's hostAliases.
 */
export function hostsFile(pod: Pod, podIPs: readonly string[], clusterDomain: string, nodeHosts: string): string {
  let out: string;
  if (pod.spec?.hostNetwork) {
    out = `# Kubernetes-managed hosts file (host network).\n${nodeHosts}`;
  } else {
    out = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
    const { hostname, domain } = podHostname(pod, clusterDomain);
    for (const ip of podIPs) out += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  }
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length) {
    out += '\n# Entries added by HostAliases.\n';
    for (const a of aliases) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  }
  return out;
}
