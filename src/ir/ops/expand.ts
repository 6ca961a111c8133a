/** Expand: broadcast input 0 against the constant shape in input 1. Tile: repeat each axis. */
import { type OpSchema, broadcastShapes, constInts, input, need } from './schema.js';

export const Expand: OpSchema = {
  arity: [2, 2],
  infer(ctx) {
    const x = input(ctx, 0);
    return [{ dtype: x.dtype, shape: broadcastShapes([x.shape, constInts(ctx, 1, 'shape')]) }];
  },
};

export const Tile: OpSchema = {
  arity: [2, 2],
  infer(ctx) {
    const x = input(ctx, 0);
    const repeats = constInts(ctx, 1, 'repeats');
    need(repeats.length === x.shape.length, `repeats [${repeats}] must have ${x.shape.length} entries`);
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => d * repeats[i]) }];
  },
};
