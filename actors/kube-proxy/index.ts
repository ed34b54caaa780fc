/** kube-proxy: one actor per node (actor.ts), user-space proxying on this host's loopback. */
export { kubeProxyActor, kubeProxyAddress, type KubeProxyHandle, type KubeProxyOptions } from './actor.ts';
export { startKubeProxy, type RunningKubeProxy } from './start.ts';
