/** Conv: X [N,C,spatial…], W [M, C/group, k…], optional B [M] → Y [N,M,out…]. */
import { getInt, getInts } from '../graph.js';
import { windowGeometry } from './windowed.js';
import { type OpSchema, input, need } from './schema.js';

export const Conv: OpSchema = {
  arity: [2, 3],
  infer(ctx) {
    const x = input(ctx, 0);
    const w = input(ctx, 1);
    const group = getInt(ctx.node, 'group', 1);
    need(x.shape.length >= 3 && w.shape.length === x.shape.length, `X and W must have the same rank ≥ 3`);
    need(x.shape[1] === w.shape[1] * group, `X has ${x.shape[1]} channels but W expects ${w.shape[1]}·group(${group})`);
    need(w.shape[0] % group === 0, `W's ${w.shape[0]} output channels are not divisible by group ${group}`);
    const kernel = [...getInts(ctx.node, 'kernel_shape', w.shape.slice(2))];
    const geo = windowGeometry(ctx.node, x.shape.slice(2), kernel);
    if (ctx.inputs[2]) need(ctx.inputs[2].shape.length === 1 && ctx.inputs[2].shape[0] === w.shape[0], `B must be [${w.shape[0]}]`);
    return [{ dtype: x.dtype, shape: [x.shape[0], w.shape[0], ...geo.outSpatial] }];
  },
};
