/**
 * DepthwiseConv2D → grouped ONNX Conv with group = C. Kernel [kh, kw, C, M] (M = depth_multiplier);
 * TensorFlow's output channel c·M + m is input channel c filtered by kernel[:, :, c, m], which is ONNX
 * W [C·M, 1, kh, kw] with W[c·M + m, 0] = kernel[:, :, c, m] (a reshape of [C, M, kh, kw]).
 */
import { attr } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { activate } from './activations.js';
import { mapShape, permute, spatial } from './layout.js';
import type { KerasTensor, LayerContext, LayerConverter } from './types.js';
import { positiveInts, readPadding, requireChannelsLast, windowPads } from './window.js';

/** [kh, kw, C, M] → [C·M, 1, kh, kw]. */
export function depthwiseWeight(k: Tensor): Tensor {
  const [kh, kw, c, m] = k.dims;
  const t = permute(k, [2, 3, 0, 1]);
  return { ...t, dims: [c * m, 1, kh, kw] };
}

/** The depthwise stage shared with SeparableConv2D; returns the IR value [N, C·M, H', W']. */
export function depthwise(ctx: LayerContext, x: KerasTensor, bias: boolean): string {
  requireChannelsLast(ctx);
  const [, channels, height, width] = mapShape(ctx, x);
  const kernel = positiveInts(ctx, 'kernel_size');
  const strides = positiveInts(ctx, 'strides', [1, 1]);
  const dilations = positiveInts(ctx, 'dilation_rate', [1, 1]);
  // tfjs-layers (4.x) leaves depth_multiplier out of SeparableConv2D's config: then the kernel says it.
  const multiplier = ctx.config.has('depth_multiplier') ? ctx.config.int('depth_multiplier') : undefined;
  if (multiplier !== undefined && multiplier < 1) ctx.fail(`depth_multiplier must be ≥ 1, got ${multiplier}`);
  const k = ctx.weight('depthwise_kernel', [kernel[0], kernel[1], channels, multiplier]);
  const inputs = [x.value, ctx.constant('depthwise_kernel', () => depthwiseWeight(k))];
  if (bias) {
    const b = ctx.weight('bias', [channels * k.dims[3]]);
    inputs.push(ctx.constant('bias', () => b));
  }
  return ctx.op('Conv', inputs, {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(strides),
    dilations: attr.ints(dilations),
    pads: attr.ints(windowPads(ctx, readPadding(ctx), [height, width], kernel, strides, dilations)),
    group: attr.int(channels),
  }, 'depthwise');
}

export const depthwiseConv2d: LayerConverter = {
  arity: [1, 1],
  convert(ctx, [x]) {
    const y = depthwise(ctx, x, ctx.config.bool('use_bias', true));
    return activate(ctx, spatial(ctx.b, y));
  },
};
