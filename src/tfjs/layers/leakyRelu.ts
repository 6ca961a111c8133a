/** LeakyReLU: f(x) = x for x > 0, α·x otherwise → ONNX LeakyRelu(α). Keras 2 calls α `alpha` (default 0.3), Keras 3 `negative_slope`. */
import { attr } from '../../ir/graph.js';
import type { LayerConverter } from './types.js';

export const leakyRelu: LayerConverter = {
  arity: [1, 1],
  convert(ctx, [x]) {
    const alpha = ctx.config.has('negative_slope') ? ctx.config.number('negative_slope') : ctx.config.number('alpha', 0.3);
    return { ...x, value: ctx.op('LeakyRelu', [x.value], { alpha: attr.float(alpha) }, 'leaky_relu') };
  },
};
