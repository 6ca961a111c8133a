/** MaxPool and AveragePool: X [N,C,in…] → Y [N,C,out…] (MaxPool's optional Indices: int64, same shape). */
import { getInts } from '../graph.js';
import { windowGeometry } from './windowed.js';
import { type OpSchema, input, need } from './schema.js';

const pool = (maxOutputs: number): OpSchema => ({
  arity: [1, 1],
  infer(ctx) {
    const x = input(ctx, 0);
    need(x.shape.length >= 3, 'X must have rank ≥ 3');
    const kernel = [...getInts(ctx.node, 'kernel_shape', [])];
    need(kernel.length === x.shape.length - 2, `kernel_shape [${kernel}] must have ${x.shape.length - 2} entries`);
    const geo = windowGeometry(ctx.node, x.shape.slice(2), kernel);
    const y = { dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...geo.outSpatial] };
    const outputs = [y, { dtype: 'int64' as const, shape: y.shape }];
    return outputs.slice(0, Math.min(maxOutputs, ctx.node.outputs.length));
  },
});

export const MaxPool = pool(2);
export const AveragePool = pool(1);

/** GlobalAveragePool / GlobalMaxPool: [N,C,spatial…] → [N,C,1,…]. */
export const GlobalPool: OpSchema = {
  arity: [1, 1],
  infer(ctx) {
    const x = input(ctx, 0);
    need(x.shape.length >= 3, 'X must have rank ≥ 3');
    return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] }];
  },
};
