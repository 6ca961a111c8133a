/**
 * Grad-CAM (Selvaraju et al. 2017): α_k = mean_ij ∂y_c/∂A_kij, map = ReLU(Σ_k α_k A_k) at the layer's
 * resolution, upsampled bilinearly to the input. Static when the layer feeds GAP → FC directly.
 */
import { attr } from '../ir/graph.js';
import { channelMap, upsampleToInput } from './cam.js';
import { exactRectifier } from './rectifiers.js';
import type { AttributionMethod } from './types.js';

export const gradcam: AttributionMethod = {
  name: 'gradcam',
  summary: 'Grad-CAM: ReLU(Σ_k mean_ij(∂y_c/∂A_k)·A_k) at --layer, upsampled (Selvaraju et al. 2017)',
  signed: false,
  family: 'cam',
  build(ctx) {
    const { b } = ctx;
    const layer = ctx.layer();
    const grad = ctx.gradient(layer, exactRectifier);
    // A gradient already constant over positions ([B,K,1,1], static Grad-CAM without a Relu) is its own mean.
    const [, , h, w] = b.shape(grad);
    const alpha = h * w === 1 ? grad : b.op('ReduceMean', [grad], { axes: attr.ints([2, 3]), keepdims: attr.int(1) }, 'gradcam_alpha');
    const map = channelMap(b, layer, alpha);
    return { attribution: upsampleToInput(ctx, map), layerMap: map };
  },
};
