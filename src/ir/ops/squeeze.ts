/** Squeeze / Unsqueeze with axes as input 1 (opset ≥ 13; the importer moves older attributes there). */
import { type OpSchema, axisOf, constInts, input, need } from './schema.js';

export const Squeeze: OpSchema = {
  arity: [1, 2],
  infer(ctx) {
    const x = input(ctx, 0);
    const axes = ctx.inputs[1] ? constInts(ctx, 1, 'axes').map((a) => axisOf(a, x.shape.length)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
    axes.forEach((a) => need(x.shape[a] === 1, `cannot squeeze axis ${a} of size ${x.shape[a]}`));
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
  },
};

export const Unsqueeze: OpSchema = {
  arity: [2, 2],
  infer(ctx) {
    const x = input(ctx, 0);
    const rawAxes = constInts(ctx, 1, 'axes');
    const rank = x.shape.length + rawAxes.length;
    const axes = rawAxes.map((a) => axisOf(a, rank));
    const shape: number[] = [];
    let src = 0;
    for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : x.shape[src++]);
    return [{ dtype: x.dtype, shape }];
  },
};
