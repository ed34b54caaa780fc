/**
 * Each component's client limits, with Kubernetes' defaults:
 * - kubelet: KubeletConfiguration kubeAPIQPS 50, kubeAPIBurst 100, one client for all of a
 *   kubelet's modules; its Events go through their own, eventRecordQPS 50, eventBurst 100
 *   (pkg/kubelet/apis/config/v1beta1/defaults.go);
 * - kube-controller-manager: --kube-api-qps 20, --kube-api-burst 30
 *   (GenericControllerManagerConfiguration's defaults), a client per controller, as its client
 *   builder gives each controller its own clientset;
 * - kube-scheduler: clientConnection qps 50, burst 100 ("Scheduler has an opinion about
 *   QPS/Burst", kubescheduler.config.k8s.io defaults);
 * - kube-proxy: clientConnection qps 5, burst 10 (component-base's ClientConnectionConfiguration defaults).
 */
import type { ClientLimits } from './rate-limit.ts';

export const CLIENT_COMPONENTS = ['controller-manager', 'scheduler', 'kubelet', 'kube-proxy'] as const;

/** A component with a client of its own limits (the names `--kube-api-qps` takes). */
export type ClientComponent = (typeof CLIENT_COMPONENTS)[number];

export const DEFAULT_CLIENT_LIMITS: Readonly<Record<ClientComponent, ClientLimits>> = {
  'controller-manager': { qps: 20, burst: 30 },
  scheduler: { qps: 50, burst: 100 },
  kubelet: { qps: 50, burst: 100 },
  'kube-proxy': { qps: 5, burst: 10 },
};

/** The kubelet's event recorder: eventRecordQPS and eventBurst. */
export const KUBELET_EVENT_LIMITS: Readonly<ClientLimits> = { qps: 50, burst: 100 };

/** Limits asked for by component; what is not given keeps its default. */
export type ClientLimitsTable = Partial<Record<ClientComponent, Partial<ClientLimits>>>;

/** `component`'s limits: `asked` over the default. */
export function limitsOf(component: ClientComponent, asked?: Partial<ClientLimits>): ClientLimits {
  return { ...DEFAULT_CLIENT_LIMITS[component], ...asked };
}
