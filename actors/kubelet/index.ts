export { kubeletActor, kubeletAddress, type KubeletHandle } from './actor.ts';
export { DEFAULT_CAPACITY, KUBELET_VERSION, nodeFacts, runtimeVersion, type KubeletOptions } from './config.ts';
export { NodeAddressPool, DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_MASK, type NodeAddresses } from './node-pool.ts';
export { startSimNodes, stopKubelet, type SimNodes, type SimNodesOptions } from './sim-nodes.ts';
