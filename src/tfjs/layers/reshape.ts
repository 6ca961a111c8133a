/**
 * Reshape to `target_shape` (Keras order, batch excluded, one −1 allowed). The reshape acts on the
 * Keras (NHWC) element order: the input is brought to it (layout.ts kerasOrdered) and a rank-4 result
 * is taken back to NCHW (fromKerasOrder); either step is a plain Reshape when C = 1 or H·W = 1 (e.g.
 * MobileNet's GAP [N,C] → (1,1,C) → 1×1 Conv → (classes,)).
 */
import { elements, fromKerasOrder, kerasOrdered, resolveTarget } from './layout.js';
import type { LayerConverter } from './types.js';

export const reshape: LayerConverter = {
  arity: [1, 1],
  convert(ctx, [x]) {
    const target = resolveTarget(ctx, ctx.config.shape('target_shape'), elements(x.shape));
    return fromKerasOrder(ctx, kerasOrdered(ctx, x), [x.shape[0], ...target]);
  },
};
