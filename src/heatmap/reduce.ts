/**
 * Channel reduction of a raw attribution a[b, c, y, x] (NCHW, or [b, y, x, c] for NHWC) to one map per
 * image m[b, y, x]. Sums are accumulated in float64.
 *
 *   abs-max  m = max_c |a_c|        the default for gradients (Simonyan et al. 2014, "Deep Inside
 *                                   Convolutional Networks", saliency = max over colour channels of |∂y/∂x|)
 *   sum      m = Σ_c a_c            signed; natural for grad × input and Integrated Gradients, whose
 *                                   channel sum keeps completeness (Σ_pixels m = Σ a)
 *   abs-sum  m = Σ_c |a_c|
 *   l2       m = √(Σ_c a_c²)
 *   max      m = max_c a_c          signed
 *   none     m = a_0                the map already has one channel (Grad-CAM); C must be 1
 *
 * A 3-D input [B, H, W] is taken as one channel.
 */
import { HeatlensError } from '../errors.js';

export type Reduction = 'abs-max' | 'sum' | 'abs-sum' | 'l2' | 'max' | 'none';
export const REDUCTIONS: readonly Reduction[] = ['abs-max', 'sum', 'abs-sum', 'l2', 'max', 'none'];

export interface ReducedMaps {
  /** [B, H, W], row-major. */
  maps: Float32Array;
  dims: [number, number, number];
}

export function reduceChannels(
  attribution: Float32Array,
  dims: readonly number[],
  reduction: Reduction = 'abs-max',
  layout: 'nchw' | 'nhwc' = 'nchw',
): ReducedMaps {
  const shape = `[${dims.join(', ')}]`;
  if (dims.length !== 3 && dims.length !== 4) throw new HeatlensError(`attribution shape ${shape} is not [B,C,H,W], [B,H,W,C] or [B,H,W]`);
  const [b, c, h, w] = dims.length === 3 ? [dims[0]!, 1, dims[1]!, dims[2]!]
    : layout === 'nchw' ? [dims[0]!, dims[1]!, dims[2]!, dims[3]!] : [dims[0]!, dims[3]!, dims[1]!, dims[2]!];
  const count = b * c * h * w;
  if (attribution.length !== count) throw new HeatlensError(`attribution has ${attribution.length} values, shape ${shape} needs ${count}`);
  if (c < 1) throw new HeatlensError(`attribution shape ${shape} has no channels`);
  if (reduction === 'none' && c !== 1) throw new HeatlensError(`reduction 'none' needs a one-channel attribution, got shape ${shape} (${layout}); pick abs-max, sum, abs-sum, l2 or max`);
  if (!REDUCTIONS.includes(reduction)) throw new HeatlensError(`unknown reduction '${reduction}' (expected ${REDUCTIONS.join(', ')})`);

  const hw = h * w;
  // Element (n, ch, p) with p = y·W + x lives at n·C·HW + ch·HW + p (NCHW) or n·C·HW + p·C + ch (NHWC).
  const [chStride, pStride] = layout === 'nchw' || dims.length === 3 ? [hw, 1] : [1, c];
  const maps = new Float32Array(b * hw);
  for (let n = 0; n < b; n++) {
    const base = n * c * hw;
    for (let p = 0; p < hw; p++) {
      const at = base + p * pStride;
      let acc = reduction === 'max' ? -Infinity : 0;
      for (let ch = 0; ch < c; ch++) {
        const v = attribution[at + ch * chStride]!;
        switch (reduction) {
          case 'abs-max': acc = Math.max(acc, Math.abs(v)); break;
          case 'sum': case 'none': acc += v; break;
          case 'abs-sum': acc += Math.abs(v); break;
          case 'l2': acc += v * v; break;
          case 'max': acc = Math.max(acc, v); break;
        }
      }
      maps[n * hw + p] = reduction === 'l2' ? Math.sqrt(acc) : acc;
    }
  }
  return { maps, dims: [b, h, w] };
}
