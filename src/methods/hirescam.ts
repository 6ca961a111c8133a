/**
 * HiResCAM (Draelos & Carin 2020): map = ReLU(Σ_k ∂y_c/∂A_k ⊙ A_k), the element-wise product instead of
 * Grad-CAM's spatially averaged weights, so the map is faithful to the gradient at each position.
 */
import { channelMap, upsampleToInput } from './cam.js';
import { exactRectifier } from './rectifiers.js';
import type { AttributionMethod } from './types.js';

export const hirescam: AttributionMethod = {
  name: 'hirescam',
  summary: 'HiResCAM: ReLU(Σ_k ∂y_c/∂A_k ⊙ A_k) at --layer, upsampled (Draelos & Carin 2020)',
  signed: false,
  family: 'cam',
  build(ctx) {
    const layer = ctx.layer();
    const map = channelMap(ctx.b, layer, ctx.gradient(layer, exactRectifier));
    return { attribution: upsampleToInput(ctx, map), layerMap: map };
  },
};
