/**
 * Maps one heat map a (any length; usually H·W) to [0, 1] for colouring.
 *
 *   minmax      (a − min a) / (max a − min a)
 *   abs-max     0.5 + a / (2·max|a|)       signed maps: 0 ↦ 0.5, the colormap's midpoint
 *   percentile  min(1, |a| / P_p(|a|))     P_p the p-th percentile (default p = 99) of |a|, linear
 *                                          interpolation between order statistics (numpy's default);
 *                                          clipping the top 1% keeps a few extreme gradients from
 *                                          washing out the rest, as in PAIR's saliency visualisation.
 *                                          When P_p(|a|) = 0 (a map that is zero almost everywhere)
 *                                          max|a| is used instead.
 *
 * A constant map (including all zeros) has no spatial information: every method returns all zeros
 * for it, never NaN. A map holding NaN or ±Inf is rejected.
 */
import { HeatlensError } from '../errors.js';

export type Normalisation = 'minmax' | 'abs-max' | 'percentile';
export const NORMALISATIONS: readonly Normalisation[] = ['minmax', 'abs-max', 'percentile'];

export interface NormaliseOptions {
  /** For 'percentile': p in (0, 100]; 99 by default. */
  percentile?: number;
}

export function normaliseMap(map: Float32Array, method: Normalisation = 'percentile', options: NormaliseOptions = {}): Float32Array {
  const out = new Float32Array(map.length);
  let min = Infinity;
  let max = -Infinity;
  let bad = 0;
  for (const v of map) {
    if (!Number.isFinite(v)) bad++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (bad > 0) throw new HeatlensError(`heat map has ${bad} NaN or infinite values of ${map.length}; the model or method produced invalid numbers`);
  if (!(max > min)) return out; // empty or constant

  switch (method) {
    case 'minmax': {
      const range = max - min;
      for (let i = 0; i < map.length; i++) out[i] = (map[i]! - min) / range;
      return out;
    }
    case 'abs-max': {
      const m = Math.max(-min, max);
      for (let i = 0; i < map.length; i++) out[i] = 0.5 + map[i]! / (2 * m);
      return out;
    }
    case 'percentile': {
      const p = options.percentile ?? 99;
      if (!(p > 0 && p <= 100)) throw new HeatlensError(`percentile must be in (0, 100], got ${p}`);
      const abs = Float64Array.from(map, Math.abs).sort();
      let clip = percentileSorted(abs, p);
      if (!(clip > 0)) clip = abs[abs.length - 1]!;
      for (let i = 0; i < map.length; i++) out[i] = Math.min(1, Math.abs(map[i]!) / clip);
      return out;
    }
    default:
      throw new HeatlensError(`unknown normalisation '${String(method)}' (expected ${NORMALISATIONS.join(', ')})`);
  }
}

/** p-th percentile of ascending `sorted`: rank r = p/100·(n−1), interpolated between ⌊r⌋ and ⌈r⌉. */
export function percentileSorted(sorted: Float64Array | Float32Array, p: number): number {
  const r = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(r);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (r - lo) * (sorted[hi]! - sorted[lo]!);
}
