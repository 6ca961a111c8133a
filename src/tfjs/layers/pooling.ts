/** Attributes shared by MaxPooling2D and AveragePooling2D: pool_size (default 2×2), strides (default pool_size), padding. */
import { type Attrs, attr } from '../../ir/graph.js';
import { mapShape } from './layout.js';
import type { KerasTensor, LayerContext } from './types.js';
import { positiveInts, readPadding, requireChannelsLast, windowPads } from './window.js';

export function poolAttrs(ctx: LayerContext, x: KerasTensor): Attrs {
  requireChannelsLast(ctx);
  const [, , height, width] = mapShape(ctx, x);
  const kernel = positiveInts(ctx, 'pool_size', [2, 2]);
  const strides = ctx.config.has('strides') ? positiveInts(ctx, 'strides') : kernel;
  return {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(strides),
    pads: attr.ints(windowPads(ctx, readPadding(ctx), [height, width], kernel, strides)),
  };
}
