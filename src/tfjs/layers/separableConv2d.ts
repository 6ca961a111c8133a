/**
 * SeparableConv2D = depthwise Conv (group = C, see depthwiseConv2d.ts; strides, dilation and padding
 * apply here) followed by a pointwise 1×1 Conv: pointwise_kernel [1, 1, C·M, F] → [F, C·M, 1, 1];
 * the bias [F] belongs to the pointwise stage.
 */
import { attr } from '../../ir/graph.js';
import { activate } from './activations.js';
import { depthwise } from './depthwiseConv2d.js';
import { permute, spatial } from './layout.js';
import type { LayerConverter } from './types.js';

export const separableConv2d: LayerConverter = {
  arity: [1, 1],
  convert(ctx, [x]) {
    const mid = depthwise(ctx, x, false);
    const inner = ctx.b.shape(mid)[1];
    const filters = ctx.config.int('filters');
    const pw = ctx.weight('pointwise_kernel', [1, 1, inner, filters]);
    const inputs = [mid, ctx.constant('pointwise_kernel', () => permute(pw, [3, 2, 0, 1]))];
    if (ctx.config.bool('use_bias', true)) {
      const bias = ctx.weight('bias', [filters]);
      inputs.push(ctx.constant('bias', () => bias));
    }
    const y = ctx.op('Conv', inputs, { kernel_shape: attr.ints([1, 1]) }, 'pointwise');
    return activate(ctx, spatial(ctx.b, y));
  },
};
