export { kubeletMachine, DEFAULT_TIMING, type KubeletMachine, type KubeletContext, type KubeletEvent, type KubeletEnvelopeEvent, type KubeletTiming } from './chart.ts';
export { initialNode, nodeConditions, nodeLease, nodeSpec, nodeStatus, statusChanged, updatedStatus, NODE_LEASE_NAMESPACE, type NodeFacts } from './node.ts';
export { Ipv4Range, formatCidr, formatIp, parseCidr, parseIp, subnet, subnetIndex, type Cidr } from './cidr.ts';
