/**
 * Flatten (channels_last): Keras flattens NHWC, index (h·W + w)·C + c. The IR flattens the NCHW map
 * as is and marks the result `nchwFlat`; a following Dense reorders its rows, anything else
 * transposes on demand (layout.ts). When C = 1 or H·W = 1 both orders coincide.
 */
import { plain } from './layout.js';
import type { LayerConverter } from './types.js';
import { requireChannelsLast } from './window.js';

export const flatten: LayerConverter = {
  arity: [1, 1],
  convert(ctx, [x]) {
    requireChannelsLast(ctx);
    if (x.shape.length === 2) return x;
    const flat = plain(ctx.b, ctx.op('Flatten', [x.value], {}, 'flatten'));
    if (x.shape.length !== 4) return flat;
    const [, h, w, c] = x.shape;
    return c === 1 || h * w === 1 ? flat : { ...flat, nchwFlat: { c, h, w } };
  },
};
