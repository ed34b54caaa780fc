/** core/v1 LimitRange defaulting (SetDefaults_LimitRangeItem): a Container item's default limit falls back to max, its default request to the default limit, then to min. */
import type { LimitRange } from 'kubernetes-types/core/v1.js';
import { clone } from '../json.ts';

export function defaultLimitRange(lr: LimitRange): LimitRange {
  const out = clone(lr);
  for (const item of out.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    const dflt = (item.default ??= {});
    const dreq = (item.defaultRequest ??= {});
    for (const [k, v] of Object.entries(item.max ?? {})) dflt[k] ??= v;
    for (const [k, v] of Object.entries(dflt)) dreq[k] ??= v;
    for (const [k, v] of Object.entries(item.min ?? {})) dreq[k] ??= v;
  }
  return out;
}
