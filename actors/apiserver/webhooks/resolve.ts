/**
 * Where a webhook's clientConfig points: its `url` as it is, or a Service — dialled at a ready
 * endpoint of the Service's port (as kube-apiserver's endpoint routing does, so no proxy is
 * needed on the way), else at its ClusterIP; the certificate is checked against the
 * Service's DNS name `<name>.<namespace>.svc`, as upstream's service resolver has it.
 */
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { WebhookClientConfig } from 'kubernetes-types/admissionregistration/v1.js';
import type { ServerContext } from '../context.ts';
import { objectStorageKey } from '../storage-keys.ts';

export type Target = { ok: true; url: string; serverName?: string } | { ok: false; url: string; reason: string };

const SLICES = 'endpointslices.discovery.k8s.io';

function endpointFor(s: ServerContext, ns: string, name: string, port: ServicePort): { ip: string; port: number } | undefined {
  for (const obj of s.cache.resources.get(SLICES)?.items.values() ?? []) {
    const slice = obj as unknown as EndpointSlice;
    if (slice.metadata?.namespace !== ns || slice.metadata.labels?.['kubernetes.io/service-name'] !== name) continue;
    const p = slice.ports?.find((x) => (x.name ?? '') === (port.name ?? ''));
    if (!p?.port) continue;
    const ready = slice.endpoints?.find((e) => e.conditions?.ready !== false && e.addresses?.length);
    if (ready) return { ip: ready.addresses[0]!, port: p.port };
  }
  return undefined;
}

export function resolveTarget(s: ServerContext, cc: WebhookClientConfig | undefined): Target {
  if (cc?.url) return { ok: true, url: cc.url };
  const ref = cc?.service;
  if (!ref) return { ok: false, url: '', reason: 'no url or service in clientConfig' };
  const port = ref.port ?? 443;
  const path = ref.path ?? '';
  const serverName = `${ref.name}.${ref.namespace}.svc`;
  const nominal = `https://${serverName}:${port}${path}`;
  const svc = s.cache.resources.get('services')?.items.get(objectStorageKey('services', ref.namespace, ref.name)) as Service | undefined;
  if (!svc) return { ok: false, url: nominal, reason: `service "${ref.name}" not found` };
  const sp = svc.spec?.ports?.find((p) => p.port === port);
  if (!sp) return { ok: false, url: nominal, reason: `no service port ${port} found for service "${ref.name}"` };
  const ep = endpointFor(s, ref.namespace, ref.name, sp);
  if (ep) return { ok: true, url: `https://${ep.ip}:${ep.port}${path}`, serverName };
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') return { ok: false, url: nominal, reason: `service "${ref.namespace}/${ref.name}" has no ready endpoints` };
  return { ok: true, url: `https://${ip}:${port}${path}`, serverName };
}
