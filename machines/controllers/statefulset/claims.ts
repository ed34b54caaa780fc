/**
 * A StatefulSet's volumeClaimTemplates (stateful_set_utils.go getPersistentVolumeClaims,
 * updateStorage, and the PersistentVolumeClaim retention policy): each pod `<set>-<n>` has
 * one claim `<template>-<set>-<n>` per template, labelled with the set's matchLabels, and a
 * volume of the template's name that names it. The claims outlive pod replacement: a
 * re-created pod finds its claim again. Retention: whenDeleted=Delete makes the set an owner
 * of the claims (the garbage collector removes them with it); whenScaled=Delete makes a
 * condemned pod their owner when the set scales down. Retain (the default) owns nothing.
 */
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from '../owners.ts';
import { podName } from './identity.ts';
import { clone } from '../../../api/json.ts';

export const claimName = (templateName: string, set: StatefulSet, ordinal: number): string => `${templateName}-${podName(set, ordinal)}`;

/** A plain (non-controller) owner reference that blocks its owner's foreground deletion, as the retention policy writes it. */
export const retentionOwnerRef = (apiVersion: string, kind: string, owner: { metadata?: { name?: string; uid?: string } }): OwnerReference => ({
  apiVersion,
  kind,
  name: owner.metadata?.name ?? '',
  uid: owner.metadata?.uid ?? '',
  blockOwnerDeletion: true,
});

/** getPersistentVolumeClaims: the claims of ordinal `ordinal`, by template name. */
export function claimsForOrdinal(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  const whenDeleted = set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? 'Retain';
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName(t.metadata?.name ?? '', set, ordinal),
      namespace: set.metadata?.namespace,
      labels: { ...t.metadata?.labels, ...set.spec?.selector?.matchLabels },
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      ...(whenDeleted === 'Delete' ? { ownerReferences: [retentionOwnerRef('apps/v1', 'StatefulSet', set)] } : {}),
    },
    spec: clone(t.spec ?? {}),
  }));
}

/** updateStorage: the pod's volumes with one per template naming its claim (replacing a volume of the same name). */
export function withClaimVolumes(set: StatefulSet, pod: Pod, ordinal: number): Pod {
  const templates = set.spec?.volumeClaimTemplates ?? [];
  if (templates.length === 0) return pod;
  const names = new Set(templates.map((t) => t.metadata?.name ?? ''));
  const volumes: Volume[] = templates.map((t) => ({ name: t.metadata?.name ?? '', persistentVolumeClaim: { claimName: claimName(t.metadata?.name ?? '', set, ordinal) } }));
  const kept = (pod.spec?.volumes ?? []).filter((v) => !names.has(v.name));
  return { ...pod, spec: { ...pod.spec!, volumes: [...kept, ...volumes] } };
}
