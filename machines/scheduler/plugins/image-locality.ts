/**
 * ImageLocality: prefers nodes that already have the pod's images, weighted by image size
 * and discounted when the image is on few nodes (so pods do not pile onto the one node
 * that has it). Weight 1; the score is scaled between 23 MiB and 1000 MiB per container.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ScorePlugin } from '../framework.ts';
import { MAX_NODE_SCORE, stateKey } from '../framework.ts';

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;
const IMAGES = stateKey<string[]>('PreScoreImageLocality');

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
    state.write(IMAGES, podImages(pod));
    return null;
  },
  score(state, _pod, ni) {
    const images = state.read(IMAGES);
    const total = state.snapshot.nodes.length;
    let sum = 0;
    for (const name of images) {
      const size = ni.images.get(name);
      if (size !== undefined) sum += Math.trunc((size * state.snapshot.nodesWithImage(name)) / total);
    }
    const max = MAX_CONTAINER_THRESHOLD * images.length;
    const clamped = Math.min(Math.max(sum, MIN_THRESHOLD), max);
    return Math.trunc((MAX_NODE_SCORE * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
  },
};
