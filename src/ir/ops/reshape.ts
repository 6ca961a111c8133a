/** Reshape (0 copies the input dim unless allowzero, −1 is inferred) and Flatten (to 2-D at `axis`). */
import { getInt } from '../graph.js';
import { numel } from '../tensor.js';
import { type OpSchema, axisOf, constInts, input, need } from './schema.js';

export function resolveReshape(inShape: readonly number[], target: readonly number[], allowZero: boolean): number[] {
  const shape = target.map((d, i) => (d === 0 && !allowZero ? inShape[i] : d));
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const unknown = shape.filter((d) => d === -1).length;
  need(unknown <= 1, `shape [${target}] has more than one −1`);
  if (unknown === 1) {
    need(known > 0 && numel(inShape) % known === 0, `cannot infer −1 reshaping [${inShape}] to [${target}]`);
    shape[shape.indexOf(-1)] = numel(inShape) / known;
  }
  need(numel(shape) === numel(inShape), `cannot reshape [${inShape}] (${numel(inShape)} elements) to [${shape}]`);
  return shape;
}

export const Reshape: OpSchema = {
  arity: [2, 2],
  infer(ctx) {
    const x = input(ctx, 0);
    const target = constInts(ctx, 1, 'shape');
    return [{ dtype: x.dtype, shape: resolveReshape(x.shape, target, getInt(ctx.node, 'allowzero', 0) === 1) }];
  },
};

export const Flatten: OpSchema = {
  arity: [1, 1],
  infer(ctx) {
    const x = input(ctx, 0);
    const rank = x.shape.length;
    const raw = getInt(ctx.node, 'axis', 1);
    const axis = raw === rank ? rank : axisOf(raw, rank);
    return [{ dtype: x.dtype, shape: [numel(x.shape.slice(0, axis)), numel(x.shape.slice(axis))] }];
  },
};
