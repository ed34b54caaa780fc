/** NodePorts: a pod's host ports must be free on the node (same protocol, port and address). */
import type { Plugin } from '../framework.ts';
import { stateKey, unschedulable } from '../framework.ts';
import { hostPortsOf, portConflicts, type HostPort } from '../node-info.ts';

export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

const NAME = 'NodePorts';
const PORTS = stateKey<HostPort[]>('PreFilterNodePorts');

export const nodePorts: Plugin = {
  name: NAME,
  events: ['PodDelete', 'NodeAdd', 'NodeUpdate'],
  preFilter(state, pod) {
    const ports = hostPortsOf(pod);
    if (ports.length === 0) return 'skip';
    state.write(PORTS, ports);
    return null;
  },
  filter(state, _pod, ni) {
    for (const hp of state.read(PORTS)) {
      if (portConflicts(ni, hp)) return unschedulable(NAME, ERR_REASON_NODE_PORTS);
    }
    return null;
  },
};
