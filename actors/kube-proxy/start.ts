import type { ActorHost } from '../host.ts';
import { kubeProxyActor, kubeProxyAddress, type KubeProxyHandle, type KubeProxyOptions } from './actor.ts';

export interface RunningKubeProxy extends KubeProxyHandle {
  readonly address: string;
  /** Stops the actor: every listener closes (connections in flight finish). */
  stop(): void;
}

/** Spawns the kube-proxy of one node on `host`. */
export function startKubeProxy(host: ActorHost, o: KubeProxyOptions): RunningKubeProxy {
  const address = kubeProxyAddress(o.nodeName);
  let handle: KubeProxyHandle | undefined;
  host.spawn(kubeProxyActor(o, () => host.get(address)?.ref, (h) => (handle = h)));
  return {
    address,
    listening: () => handle?.listening() ?? [],
    context: () => handle?.context(),
    stop: () => void host.stop(address),
  };
}
