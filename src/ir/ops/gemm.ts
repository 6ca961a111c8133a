/** Gemm: Y = alpha·A'·B' + beta·C with A' = transA ? Aᵀ : A, B' likewise; C broadcasts to [M,N]. */
import { getInt } from '../graph.js';
import { type OpSchema, broadcastShapes, input, need } from './schema.js';

export const Gemm: OpSchema = {
  arity: [2, 3],
  infer(ctx) {
    const a = input(ctx, 0);
    const b = input(ctx, 1);
    need(a.shape.length === 2 && b.shape.length === 2, 'A and B must be matrices');
    const [m, ka] = getInt(ctx.node, 'transA', 0) ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
    const [kb, n] = getInt(ctx.node, 'transB', 0) ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
    need(ka === kb, `inner dimensions differ: A' is ${m}×${ka}, B' is ${kb}×${n}`);
    const c = ctx.inputs[2];
    if (c) need(broadcastShapes([c.shape, [m, n]]).join() === [m, n].join(), `C [${c.shape}] does not broadcast to [${m},${n}]`);
    return [{ dtype: a.dtype, shape: [m, n] }];
  },
};
