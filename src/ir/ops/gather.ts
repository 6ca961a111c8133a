/** Gather: out = data.shape[:axis] + indices.shape + data.shape[axis+1:]. */
import { getInt } from '../graph.js';
import { type OpSchema, axisOf, input } from './schema.js';

export const Gather: OpSchema = {
  arity: [2, 2],
  infer(ctx) {
    const data = input(ctx, 0);
    const indices = input(ctx, 1);
    const axis = axisOf(getInt(ctx.node, 'axis', 0), data.shape.length);
    return [{ dtype: data.dtype, shape: [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)] }];
  },
};
