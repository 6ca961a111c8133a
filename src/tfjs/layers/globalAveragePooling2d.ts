/** GlobalAveragePooling2D: mean over H, W → ONNX GlobalAveragePool [N,C,1,1], then Flatten to [N,C] unless keepdims. */
import { mapShape, plain, spatial } from './layout.js';
import type { LayerConverter } from './types.js';
import { requireChannelsLast } from './window.js';

export const globalAveragePooling2d: LayerConverter = {
  arity: [1, 1],
  convert(ctx, [x]) {
    requireChannelsLast(ctx);
    mapShape(ctx, x);
    const pooled = ctx.op('GlobalAveragePool', [x.value], {}, 'gap');
    if (ctx.config.bool('keepdims', false)) return spatial(ctx.b, pooled);
    return plain(ctx.b, ctx.op('Flatten', [pooled], {}, 'flatten'));
  },
};
