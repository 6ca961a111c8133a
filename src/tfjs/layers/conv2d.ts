/**
 * Conv2D → ONNX Conv. Kernel HWIO [kh, kw, C/groups, F] → OIHW [F, C/groups, kh, kw]; Keras groups split
 * input and output channels into consecutive blocks, as ONNX `group` does. Padding per window.ts.
 */
import { attr } from '../../ir/graph.js';
import { activate } from './activations.js';
import { mapShape, permute, spatial } from './layout.js';
import type { LayerConverter } from './types.js';
import { positiveInts, readPadding, requireChannelsLast, windowPads } from './window.js';

export const conv2d: LayerConverter = {
  arity: [1, 1],
  convert(ctx, [x]) {
    requireChannelsLast(ctx);
    const [, channels, height, width] = mapShape(ctx, x);
    const filters = ctx.config.int('filters');
    const kernel = positiveInts(ctx, 'kernel_size');
    const strides = positiveInts(ctx, 'strides', [1, 1]);
    const dilations = positiveInts(ctx, 'dilation_rate', [1, 1]);
    const groups = ctx.config.int('groups', 1);
    if (groups < 1 || channels % groups !== 0 || filters % groups !== 0) {
      ctx.fail(`groups=${groups} must divide the ${channels} input channels and the ${filters} filters`);
    }
    const hwio = ctx.weight('kernel', [kernel[0], kernel[1], channels / groups, filters]);
    const inputs = [x.value, ctx.constant('kernel', () => permute(hwio, [3, 2, 0, 1]))];
    if (ctx.config.bool('use_bias', true)) {
      const bias = ctx.weight('bias', [filters]);
      inputs.push(ctx.constant('bias', () => bias));
    }
    const y = ctx.op('Conv', inputs, {
      kernel_shape: attr.ints(kernel),
      strides: attr.ints(strides),
      dilations: attr.ints(dilations),
      pads: attr.ints(windowPads(ctx, readPadding(ctx), [height, width], kernel, strides, dilations)),
      group: attr.int(groups),
    }, 'conv');
    return activate(ctx, spatial(ctx.b, y));
  },
};
