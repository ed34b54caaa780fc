/**
 * ImageLocality: prefers nodes that already have the pod's images, weighted by image size
 * and discounted when the image is on few nodes (so pods do not pile onto the one node
 * that has it). Weight 1; the score is scaled between 23 MiB and 1000 MiB per container.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ScorePlugin } from '../framework.ts';
import { MAX_NODE_SCORE, stateKey } from '../framework.ts';
import type { NodeInfo } from '../node-info.ts';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;
/** The pod's images with on how many nodes each is present, and the node count: read once per cycle. */
interface PodImages {
  names: string[];
  numNodes: number[];
  totalNodes: number;
}
const IMAGES = stateKey<PodImages>('PreScoreImageLocality');

/** normalizedImageName: an image without tag or digest means ":latest". */
export function normalizedImageName(name: string): string {
  const lastSlash = name.lastIndexOf('/');
  const hasTag = name.lastIndexOf(':') > lastSlash;
  return hasTag || name.includes('@') ? name : `${name}:latest`;
}

function podImages(pod: Pod): string[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => normalizedImageName(c.image ?? ''));
}

export const imageLocality: ScorePlugin = {
  name: 'ImageLocality',
  weight: 1,
  events: [],
  preScore(state, pod) {
    const names = podImages(pod);
    const numNodes = names.map((n) => state.snapshot.nodesWithImage(n));
    state.write(IMAGES, { names, numNodes, totalNodes: state.snapshot.nodes.length });
    return null;
  },
  score(state, _pod, ni) {
    return imageScore(state.read(IMAGES), ni);
  },
  scoreAll(state, _pod, nodes, out) {
    const images = state.read(IMAGES);
    for (let i = 0; i < nodes.length; i++) out[i] = imageScore(images, nodes[i] as NodeInfo);
  },
};

/** The node's score: the pod's images it holds, by size and spread, scaled between the thresholds. */
function imageScore({ names, numNodes, totalNodes }: PodImages, ni: NodeInfo): number {
  let sum = 0;
  if (ni.numImages > 0) {
    for (let i = 0; i < names.length; i++) {
      const size = ni.images.get(names[i] as string);
      if (size !== undefined) sum += Math.trunc((size * (numNodes[i] as number)) / totalNodes);
    }
  }
  const max = MAX_CONTAINER_THRESHOLD * names.length;
  const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), max);
  return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
}
