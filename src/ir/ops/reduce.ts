/**
 * Reductions. ReduceSum takes axes as input 1 (opset 13); ReduceMean/ReduceMax/ReduceMin/ReduceL2 take
 * the `axes` attribute (up to opset 17). Empty axes reduce everything unless noop_with_empty_axes.
 * ArgMax: one axis, keepdims, int64.
 */
import { getInt, getInts } from '../graph.js';
import { type OpSchema, axisOf, input, need, type InferContext } from './schema.js';

export function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  const norm = axes.length === 0 ? shape.map((_, i) => i) : axes.map((a) => axisOf(a, shape.length));
  return shape.flatMap((d, i) => (norm.includes(i) ? (keepDims ? [1] : []) : [d]));
}

export function reductionAxes(ctx: Pick<InferContext, 'node' | 'constant' | 'inputs'>): number[] {
  if (ctx.node.op === 'ReduceSum') {
    if (!ctx.inputs[1]) return [];
    const axes = ctx.constant(1);
    need(axes !== undefined, 'axes (input 1) must be a compile-time constant: heatlens compiles static shapes');
    return Array.from(axes.data);
  }
  return [...getInts(ctx.node, 'axes', [])];
}

export const Reduce: OpSchema = {
  arity: [1, 2],
  infer(ctx) {
    const x = input(ctx, 0);
    const axes = reductionAxes(ctx);
    if (axes.length === 0 && getInt(ctx.node, 'noop_with_empty_axes', 0) === 1) return [x];
    return [{ dtype: x.dtype, shape: reducedShape(x.shape, axes, getInt(ctx.node, 'keepdims', 1) === 1) }];
  },
};

export const ArgMax: OpSchema = {
  arity: [1, 1],
  infer(ctx) {
    const x = input(ctx, 0);
    return [{ dtype: 'int64', shape: reducedShape(x.shape, [getInt(ctx.node, 'axis', 0)], getInt(ctx.node, 'keepdims', 1) === 1) }];
  },
};
