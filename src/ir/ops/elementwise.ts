/** Element-wise ops: unary (shape preserved), broadcasting binary/variadic, comparisons, Where. */
import type { DType } from '../tensor.js';
import { type OpSchema, broadcastShapes, input, need } from './schema.js';

/** Output has the first input's dtype and shape; extra inputs (Clip's min/max) are scalars. */
export const Unary = (maxInputs = 1): OpSchema => ({
  arity: [1, maxInputs],
  infer: (ctx) => [input(ctx, 0)],
});

/** Multidirectional broadcasting; `dtype` overrides the result type (comparisons give bool). */
export const Broadcasting = (dtype?: DType, arity: readonly [number, number] = [2, 2]): OpSchema => ({
  arity,
  infer(ctx) {
    const shapes = ctx.inputs.filter((v) => v !== undefined).map((v) => v.shape);
    return [{ dtype: dtype ?? input(ctx, 0).dtype, shape: broadcastShapes(shapes) }];
  },
});

/** Where(cond, a, b): broadcast of all three, dtype of a. */
export const Where: OpSchema = {
  arity: [3, 3],
  infer(ctx) {
    return [{ dtype: input(ctx, 1).dtype, shape: broadcastShapes([0, 1, 2].map((i) => input(ctx, i).shape)) }];
  },
};

/**
 * Dropout (inference): output = input; the optional mask output is bool of the same shape. A
 * training_mode input must be a constant false (training-mode dropout is random).
 */
export const Dropout: OpSchema = {
  arity: [1, 3],
  infer(ctx) {
    const x = input(ctx, 0);
    if (ctx.inputs[2]) {
      const training = ctx.constant(2);
      need(training !== undefined && !training.data[0], 'training_mode (input 2) must be a constant false: heatlens compiles inference graphs');
    }
    return ctx.node.outputs.length > 1 ? [x, { dtype: 'bool', shape: x.shape }] : [x];
  },
};
