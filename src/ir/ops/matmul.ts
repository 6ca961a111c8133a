/** MatMul with numpy semantics: 1-D operands are promoted and the added axis removed; batch axes broadcast. */
import { type OpSchema, broadcastShapes, input, need } from './schema.js';

export const MatMul: OpSchema = {
  arity: [2, 2],
  infer(ctx) {
    const a = input(ctx, 0).shape;
    const b = input(ctx, 1).shape;
    need(a.length >= 1 && b.length >= 1, 'operands must have rank ≥ 1');
    const a2 = a.length === 1 ? [1, a[0]] : a;
    const b2 = b.length === 1 ? [b[0], 1] : b;
    need(a2[a2.length - 1] === b2[b2.length - 2], `inner dimensions differ: [${a}] · [${b}]`);
    const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
    const shape = [...batch];
    if (a.length > 1) shape.push(a2[a2.length - 2]);
    if (b.length > 1) shape.push(b2[b2.length - 1]);
    return [{ dtype: input(ctx, 0).dtype, shape }];
  },
};
