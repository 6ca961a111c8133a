/** Resize(X, roi, scales, sizes): output size from `sizes`, or floor(in · scale). */
import { type OpSchema, input, need } from './schema.js';

export const Resize: OpSchema = {
  arity: [1, 4],
  infer(ctx) {
    const x = input(ctx, 0);
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
