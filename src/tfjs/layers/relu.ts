/**
 * ReLU layer (Keras): f(x) = min(x, max_value) for x ≥ threshold, negative_slope·(x − threshold) below.
 * threshold = 0 only; then
 *   slope 0, no max      → Relu
 *   slope 0, max m       → Clip(x, 0, m)            (ReLU6 for m = 6)
 *   slope a > 0          → LeakyRelu(a), then Clip(x, −∞, m) when a max is given.
 */
import { attr } from '../../ir/graph.js';
import type { LayerConverter } from './types.js';

export const relu: LayerConverter = {
  arity: [1, 1],
  convert(ctx, [x]) {
    const threshold = ctx.config.number('threshold', 0);
    if (threshold !== 0) ctx.fail(`threshold=${threshold} is not supported (heatlens imports threshold 0)`);
    const max = ctx.config.optionalNumber('max_value');
    const slope = ctx.config.number('negative_slope', 0);
    if (max !== undefined && max < 0) ctx.fail(`max_value must be ≥ 0, got ${max}`);
    if (slope === 0) {
      const value = max === undefined
        ? ctx.op('Relu', [x.value], {}, 'relu')
        : ctx.op('Clip', [x.value, ctx.scalar(0), ctx.scalar(max)], {}, 'clip');
      return { ...x, value };
    }
    const leaky = ctx.op('LeakyRelu', [x.value], { alpha: attr.float(slope) }, 'leaky_relu');
    return { ...x, value: max === undefined ? leaky : ctx.op('Clip', [leaky, '', ctx.scalar(max)], {}, 'clip') };
  },
};
