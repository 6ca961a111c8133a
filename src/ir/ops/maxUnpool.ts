/**
 * MaxUnpool(X, I, output_shape?): zeros of the unpooled shape with X written at the flat positions I
 * (MaxPool's Indices). Default spatial size (in − 1)·s + k − pad_begin − pad_end; the optional
 * output_shape input (constant) overrides it.
 */
import { getInts } from '../graph.js';
import { type OpSchema, constInts, input, need } from './schema.js';

export const MaxUnpool: OpSchema = {
  arity: [2, 3],
  infer(ctx) {
    const x = input(ctx, 0);
    if (ctx.inputs[2]) return [{ dtype: x.dtype, shape: constInts(ctx, 2, 'output_shape') }];
    const n = x.shape.length - 2;
    const kernel = getInts(ctx.node, 'kernel_shape', []);
    const strides = getInts(ctx.node, 'strides', new Array(n).fill(1));
    const pads = getInts(ctx.node, 'pads', new Array(2 * n).fill(0));
    need(kernel.length === n, `kernel_shape must have ${n} entries`);
    return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map((d, i) => (d - 1) * strides[i] + kernel[i] - pads[i] - pads[i + n])] }];
  },
};
