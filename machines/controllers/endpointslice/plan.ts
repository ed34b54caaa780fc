/**
 * The slice changes that bring a Service's managed EndpointSlices to the desired state,
 * with little churn (the endpointslice reconciler's reconcileByPortMapping): endpoints stay
 * in the slice that already holds them; slices left empty are deleted; new endpoints first
 * fill slices already being updated, then others with room, then new slices of at most
 * `max`. A Service with no endpoints at all keeps one empty placeholder slice. Pure.
 */
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { endpointKey, slicePortsKey, type PortGroup } from './desired.ts';

export interface SlicePlan {
  /** New slices' contents (the caller adds metadata). */
  create: Pick<EndpointSlice, 'ports' | 'endpoints'>[];
  /** Existing slices with new endpoints (labels and owner are refreshed by the caller). */
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function planSlices(existing: readonly EndpointSlice[], desired: Map<string, PortGroup>, max: number): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const byPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) byPorts.set(slicePortsKey(s), [...(byPorts.get(slicePortsKey(s)) ?? []), s]);
  for (const [key, slices] of byPorts) if (!desired.has(key)) plan.delete.push(...slices);

  for (const [key, group] of desired) {
    const want = new Map(group.endpoints.map((e) => [endpointKey(e), e]));
    const placed = new Set<string>();
    const kept: { slice: EndpointSlice; endpoints: Endpoint[]; changed: boolean }[] = [];
    for (const slice of byPorts.get(key) ?? []) {
      const endpoints: Endpoint[] = [];
      for (const e of slice.endpoints ?? []) {
        const k = endpointKey(e);
        const d = want.get(k);
        if (d && !placed.has(k) && endpoints.length < max) {
          endpoints.push(d);
          placed.add(k);
        }
      }
      const changed = !same(endpoints, slice.endpoints ?? []);
      if (endpoints.length === 0 && (slice.endpoints ?? []).length > 0) plan.delete.push(slice);
      else kept.push({ slice, endpoints, changed });
    }
    const rest = group.endpoints.filter((e) => !placed.has(endpointKey(e)));
    // Slices already being written take new endpoints first: that costs no extra write.
    const fillOrder = [...kept.filter((k) => k.changed), ...kept.filter((k) => !k.changed)];
    for (const k of fillOrder) {
      while (rest.length > 0 && k.endpoints.length < max) {
        k.endpoints.push(rest.shift()!);
        k.changed = true;
      }
    }
    for (let i = 0; i < rest.length; i += max) plan.create.push({ ports: group.ports, endpoints: rest.slice(i, i + max) });
    for (const k of kept) {
      // An empty placeholder stays only while nothing else holds this Service's endpoints.
      if (k.endpoints.length === 0 && (group.endpoints.length > 0 || kept.length > 1)) plan.delete.push(k.slice);
      else if (k.changed) plan.update.push({ ...k.slice, endpoints: k.endpoints });
    }
  }
  const keptAny = existing.length - plan.delete.length > 0 || plan.create.length > 0;
  if (!keptAny) {
    // A placeholder slice with no ports marks a Service with no endpoints (newEndpointSlice with no pods).
    const placeholder = plan.delete.find((s) => (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0);
    if (placeholder) plan.delete = plan.delete.filter((s) => s !== placeholder);
    else plan.create.push({ ports: [], endpoints: [] });
  }
  return plan;
}
