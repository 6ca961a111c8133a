/**
 * Grad-CAM++ (Chattopadhay et al. 2018) in the closed form of the common implementation
 * (pytorch-grad-cam's GradCAMPlusPlus), with G = ∂y_c/∂A:
 *   a_kij = G² / (2G² + (Σ_ab A_kab)·G³ + ε), 0 where G = 0,   ε = 1e-6
 *   w_k = Σ_ij ReLU(G_kij)·a_kij,   map = ReLU(Σ_k w_k A_k).
 */
import { attr } from '../ir/graph.js';
import { channelMap, expandTo, upsampleToInput } from './cam.js';
import { exactRectifier } from './rectifiers.js';
import type { AttributionMethod } from './types.js';

export const gradcamPlusPlus: AttributionMethod = {
  name: 'gradcam++',
  summary: 'Grad-CAM++: second-order weights Σ_ij ReLU(G)·G²/(2G² + ΣA·G³) at --layer (Chattopadhay et al. 2018)',
  signed: false,
  family: 'cam',
  build(ctx) {
    const { b } = ctx;
    const layer = ctx.layer();
    const g = expandTo(b, ctx.gradient(layer, exactRectifier), layer);
    const g2 = b.op('Mul', [g, g]);
    const g3 = b.op('Mul', [g2, g]);
    const spatialSum = b.op('ReduceSum', [layer, b.int64([2, 3])], { keepdims: attr.int(1) });
    const denominator = b.op('Add', [b.op('Add', [b.op('Mul', [g2, b.scalar(2)]), b.op('Mul', [spatialSum, g3])]), b.scalar(1e-6)]);
    const ratio = b.op('Div', [g2, denominator]);
    // G = 0 ⇒ G² = 0 ⇒ ratio = 0 already (ε keeps the denominator non-zero), so no explicit mask.
    const weights = b.op('ReduceSum', [b.op('Mul', [b.op('Relu', [g]), ratio]), b.int64([2, 3])], { keepdims: attr.int(1) }, 'gradcampp_weights');
    const map = channelMap(b, layer, weights);
    return { attribution: upsampleToInput(ctx, map), layerMap: map };
  },
};
