/** Transpose: out.shape[i] = in.shape[perm[i]]; the default perm reverses the axes. */
import { getInts } from '../graph.js';
import { type OpSchema, input, need } from './schema.js';

export const Transpose: OpSchema = {
  arity: [1, 1],
  infer(ctx) {
    const x = input(ctx, 0);
    const rank = x.shape.length;
    const perm = getInts(ctx.node, 'perm', [...Array(rank).keys()].reverse());
    need(perm.length === rank && [...perm].sort().every((p, i) => p === i), `perm [${perm}] is not a permutation of ${rank} axes`);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }];
  },
};
