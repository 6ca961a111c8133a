/**
 * Guided Grad-CAM (Selvaraju et al. 2017): guided backpropagation ⊙ the upsampled Grad-CAM map, a
 * class-discriminative map with pixel-level detail. Two backward passes: exact to the layer, guided to
 * the input.
 */
import { gradcam } from './gradcam.js';
import { guidedRectifier } from './rectifiers.js';
import type { AttributionMethod } from './types.js';

export const guidedGradcam: AttributionMethod = {
  name: 'guided-gradcam',
  summary: 'Guided Grad-CAM: guided backprop ⊙ upsampled Grad-CAM (Selvaraju et al. 2017)',
  signed: true,
  family: 'cam',
  build(ctx) {
    const cam = gradcam.build(ctx);
    const guided = ctx.gradient(ctx.input, guidedRectifier);
    return { attribution: ctx.b.op('Mul', [guided, cam.attribution], {}, 'guided_gradcam'), layerMap: cam.layerMap };
  },
};
