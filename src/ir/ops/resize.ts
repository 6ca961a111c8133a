/**
 * Resize(X, roi, scales, sizes): output size from `sizes`, or floor(in · scale). The IR holds the modes
 * every backend of heatlens runs (nearest and linear; see interp/kernels/resize.ts); others are refused
 * here, at import, naming the attribute.
 */
import { getInt, getString } from '../graph.js';
import { type OpSchema, input, need } from './schema.js';

const SUPPORTED: Readonly<Record<string, readonly string[]>> = {
  mode: ['nearest', 'linear'],
  coordinate_transformation_mode: ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'],
  nearest_mode: ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'],
  keep_aspect_ratio_policy: ['stretch'],
};
const DEFAULTS: Readonly<Record<string, string>> = {
  mode: 'nearest', coordinate_transformation_mode: 'half_pixel', nearest_mode: 'round_prefer_floor', keep_aspect_ratio_policy: 'stretch',
};

export const Resize: OpSchema = {
  arity: [1, 4],
  infer(ctx) {
    const x = input(ctx, 0);
    for (const [key, values] of Object.entries(SUPPORTED)) {
      const value = getString(ctx.node, key, DEFAULTS[key]);
      need(values.includes(value), `attribute ${key} '${value}' is not supported (${values.join(', ')} are)`);
    }
    need(getInt(ctx.node, 'antialias', 0) === 0, 'attribute antialias = 1 is not supported');
    const sizes = ctx.inputs[3] ? ctx.constant(3) : undefined;
    if (sizes && sizes.data.length > 0) {
      need(sizes.data.length === x.shape.length, `sizes must have ${x.shape.length} entries`);
      return [{ dtype: x.dtype, shape: Array.from(sizes.data) }];
    }
    const scales = ctx.inputs[2] ? ctx.constant(2) : undefined;
    need(scales !== undefined && scales.data.length === x.shape.length, 'Resize needs constant scales or sizes');
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => Math.floor(d * scales.data[i])) }];
  },
};
