/** Concat along `axis`: all other dims equal. Split: the inverse, sizes from input 1 or equal parts. */
import { getInt, getInts } from '../graph.js';
import { type OpSchema, axisOf, input, need } from './schema.js';

export const Concat: OpSchema = {
  arity: [1, Infinity],
  infer(ctx) {
    const first = input(ctx, 0);
    const axis = axisOf(getInt(ctx.node, 'axis', 0), first.shape.length);
    const shape = [...first.shape];
    shape[axis] = 0;
    for (const v of ctx.inputs) {
      need(v !== undefined && v.shape.length === first.shape.length, 'all inputs must have the same rank');
      v.shape.forEach((d, i) => need(i === axis || d === first.shape[i], `shapes [${first.shape}] and [${v.shape}] differ off axis ${axis}`));
      shape[axis] += v.shape[axis];
    }
    return [{ dtype: first.dtype, shape }];
  },
};

export const Split: OpSchema = {
  arity: [1, 2],
  infer(ctx) {
    const x = input(ctx, 0);
    const axis = axisOf(getInt(ctx.node, 'axis', 0), x.shape.length);
    const parts = ctx.node.outputs.length;
    const given = ctx.constant(1);
    const sizes = given ? Array.from(given.data) : [...getInts(ctx.node, 'split', [])];
    if (sizes.length === 0) {
      need(x.shape[axis] % parts === 0, `axis ${axis} of size ${x.shape[axis]} does not split into ${parts} equal parts`);
      sizes.push(...new Array(parts).fill(x.shape[axis] / parts));
    }
    need(sizes.length === parts && sizes.reduce((a, b) => a + b, 0) === x.shape[axis], `split sizes [${sizes}] do not cover ${x.shape[axis]}`);
    return sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? s : d)) }));
  },
};
