/** NodeName: a pod that names its node (spec.nodeName) fits only there. */
import type { Plugin } from '../framework.ts';
import { unresolvable } from '../framework.ts';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

const NAME = 'NodeName';

export const nodeName: Plugin = {
  name: NAME,
  events: ['NodeAdd', 'NodeUpdate'],
  preFilter(_state, pod) {
    const want = pod.spec?.nodeName;
    return want ? { nodeNames: new Set([want]), skip: true } : 'skip';
  },
  filter(_state, pod, ni) {
    const want = pod.spec?.nodeName;
    if (!want || want === ni.name) return null;
    return unresolvable(NAME, ERR_REASON_NODE_NAME);
  },
};
