/**
 * The /etc/resolv.conf and /etc/hosts kubelet gives a pod whose runtime mounts files: written
 * once per pod under `<root-dir>/pods/<uid>/` (kubelet's etc-hosts; resolv.conf is the
 * container runtime's in CRI, the kubelet's here) and bind-mounted into each container — not
 * over a mount of the container's own at that path. Contents: machines/kubelet/dns.ts.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatResolvConf, hostsFile, parseResolvConf, podDnsConfig, type ClusterDnsSettings } from '../../machines/kubelet/dns.ts';
import type { Mount } from '../runtime/runtime.ts';

export interface PodDnsOptions extends ClusterDnsSettings {
  /** The kubelet's own directory (its --root-dir). */
  rootDir: string;
  /** What dnsPolicy Default reads (kubelet's --resolv-conf, default /etc/resolv.conf). */
  resolvConf: string;
  /** The node's hosts file (hostNetwork pods get it). */
  hostsPath?: string;
}

type Written = { resolv: string; hosts: string; warning?: { reason: string; message: string } };

export class PodDnsFiles {
  readonly #written = new Map<string, Promise<Written>>();

  constructor(private readonly o: PodDnsOptions) {}

  /**
   * The mounts of `c` for the pod's DNS files, written on the pod's first call; `warning`
   * (MissingClusterDNS) comes with that first call only.
   */
  async mounts(pod: Pod, podIPs: readonly string[], c: Container, taken: readonly Mount[]): Promise<{ mounts: Mount[]; warning?: { reason: string; message: string } }> {
    const uid = pod.metadata?.uid ?? '';
    let first = false;
    let w = this.#written.get(uid);
    if (!w) {
      first = true;
      w = this.#write(pod, podIPs);
      this.#written.set(uid, w);
    }
    const files = await w;
    const own = new Set([...taken.map((m) => m.containerPath), ...(c.volumeMounts ?? []).map((m) => m.mountPath)]);
    const mounts: Mount[] = [];
    // kubelet mounts etc-hosts only when the pod has an IP.
    if (podIPs.length && !own.has('/etc/hosts')) mounts.push({ hostPath: files.hosts, containerPath: '/etc/hosts', readOnly: false });
    if (!own.has('/etc/resolv.conf')) mounts.push({ hostPath: files.resolv, containerPath: '/etc/resolv.conf', readOnly: false });
    return first && files.warning ? { mounts, warning: files.warning } : { mounts };
  }

  /** Forgets the pod and removes its files. */
  async release(uid: string): Promise<void> {
    if (!this.#written.delete(uid)) return;
    const dir = join(this.o.rootDir, 'pods', uid);
    await rm(join(dir, 'etc-hosts'), { force: true }).catch(() => {});
    await rm(join(dir, 'resolv.conf'), { force: true }).catch(() => {});
  }

  async #write(pod: Pod, podIPs: readonly string[]): Promise<Written> {
    const dir = join(this.o.rootDir, 'pods', pod.metadata?.uid ?? '');
    await mkdir(dir, { recursive: true, mode: 0o750 });
    const host = parseResolvConf(await readFile(this.o.resolvConf, 'utf8').catch(() => ''));
    const { config, warning } = podDnsConfig(pod, this.o, host);
    const resolv = join(dir, 'resolv.conf');
    const hosts = join(dir, 'etc-hosts');
    await writeFile(resolv, formatResolvConf(config), { mode: 0o644 });
    const nodeHosts = pod.spec?.hostNetwork ? await readFile(this.o.hostsPath ?? '/etc/hosts', 'utf8').catch(() => '') : '';
    await writeFile(hosts, hostsFile(pod, podIPs, this.o.clusterDomain, nodeHosts), { mode: 0o644 });
    return warning ? { resolv, hosts, warning } : { resolv, hosts };
  }
}
