/** ScatterElements(data, indices, updates): output has data's shape; indices and updates match. */
import { type OpSchema, input, need } from './schema.js';

export const ScatterElements: OpSchema = {
  arity: [3, 3],
  infer(ctx) {
    const data = input(ctx, 0);
    need(input(ctx, 1).shape.join() === input(ctx, 2).shape.join(), 'indices and updates must have the same shape');
    return [data];
  },
};
