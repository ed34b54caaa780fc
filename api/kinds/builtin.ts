/** The built-in kinds, one descriptor file each, in the order discovery lists them. */
import { namespaceKind } from './core/namespace.ts';
import { podKind } from './core/pod.ts';
import { nodeKind } from './core/node.ts';
import { serviceKind } from './core/service.ts';
import { endpointsKind } from './core/endpoints.ts';
import { configMapKind } from './core/configmap.ts';
import { secretKind } from './core/secret.ts';
import { serviceAccountKind } from './core/serviceaccount.ts';
import { eventKind } from './core/event.ts';
import { resourceQuotaKind } from './core/resourcequota.ts';
import { limitRangeKind } from './core/limitrange.ts';
import { persistentVolumeKind } from './core/persistentvolume.ts';
import { persistentVolumeClaimKind } from './core/persistentvolumeclaim.ts';
import { deploymentKind } from './apps/deployment.ts';
import { replicaSetKind } from './apps/replicaset.ts';
import { daemonSetKind } from './apps/daemonset.ts';
import { statefulSetKind } from './apps/statefulset.ts';
import { jobKind } from './batch/job.ts';
import { cronJobKind } from './batch/cronjob.ts';
import { leaseKind } from './coordination/lease.ts';
import { endpointSliceKind } from './discovery/endpointslice.ts';
import { podDisruptionBudgetKind } from './policy/poddisruptionbudget.ts';
import { storageClassKind } from './storage/storageclass.ts';
import { runtimeClassKind } from './node/runtimeclass.ts';
import { ingressKind } from './networking/ingress.ts';
import { ingressClassKind } from './networking/ingressclass.ts';
import { roleKind } from './rbac/role.ts';
import { clusterRoleKind } from './rbac/clusterrole.ts';
import { roleBindingKind } from './rbac/rolebinding.ts';
import { clusterRoleBindingKind } from './rbac/clusterrolebinding.ts';
import { certificateSigningRequestKind } from './certificates/certificatesigningrequest.ts';
import { flowSchemaKind } from './flowcontrol/flowschema.ts';
import { priorityLevelConfigurationKind } from './flowcontrol/prioritylevelconfiguration.ts';
import { customResourceDefinitionKind } from './apiextensions/customresourcedefinition.ts';
import { mutatingWebhookConfigurationKind } from './admissionregistration/mutatingwebhookconfiguration.ts';
import { validatingWebhookConfigurationKind } from './admissionregistration/validatingwebhookconfiguration.ts';
import { validatingAdmissionPolicyKind } from './admissionregistration/validatingadmissionpolicy.ts';
import { validatingAdmissionPolicyBindingKind } from './admissionregistration/validatingadmissionpolicybinding.ts';
import { priorityClassKind } from './scheduling/priorityclass.ts';
import { replicationControllerKind } from './core/replicationcontroller.ts';
import { horizontalPodAutoscalerKind } from './autoscaling/horizontalpodautoscaler.ts';
import { controllerRevisionKind } from './apps/controllerrevision.ts';
import { podTemplateKind } from './core/podtemplate.ts';
import { networkPolicyKind } from './networking/networkpolicy.ts';
import { csiDriverKind } from './storage/csidriver.ts';
import { csiNodeKind } from './storage/csinode.ts';
import { nodeMetricsKind } from './metrics/nodemetrics.ts';
import { podMetricsKind } from './metrics/podmetrics.ts';
import type { KindInfo } from './info.ts';

export const BUILTIN_KINDS: readonly KindInfo[] = [
  namespaceKind,
  podKind,
  nodeKind,
  serviceKind,
  endpointsKind,
  configMapKind,
  secretKind,
  serviceAccountKind,
  eventKind,
  resourceQuotaKind,
  limitRangeKind,
  persistentVolumeKind,
  persistentVolumeClaimKind,
  deploymentKind,
  replicaSetKind,
  daemonSetKind,
  statefulSetKind,
  jobKind,
  cronJobKind,
  leaseKind,
  endpointSliceKind,
  podDisruptionBudgetKind,
  storageClassKind,
  runtimeClassKind,
  ingressKind,
  ingressClassKind,
  roleKind,
  clusterRoleKind,
  roleBindingKind,
  clusterRoleBindingKind,
  certificateSigningRequestKind,
  flowSchemaKind,
  priorityLevelConfigurationKind,
  customResourceDefinitionKind,
  mutatingWebhookConfigurationKind,
  validatingWebhookConfigurationKind,
  validatingAdmissionPolicyKind,
  validatingAdmissionPolicyBindingKind,
  priorityClassKind,
  replicationControllerKind,
  horizontalPodAutoscalerKind,
  controllerRevisionKind,
  podTemplateKind,
  networkPolicyKind,
  csiDriverKind,
  csiNodeKind,
  nodeMetricsKind,
  podMetricsKind,
];
