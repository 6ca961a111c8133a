/** Graph-building helpers shared by backward rules. */
import type { GraphBuilder } from '../ir/builder.js';
import { attr } from '../ir/graph.js';
import { makeTensor } from '../ir/tensor.js';

/**
 * The adjoint of numpy broadcasting: sums `grad` (shape of the broadcast result) over the axes along
 * which `shape` was broadcast, then reshapes to `shape`.
 */
export function unbroadcast(b: GraphBuilder, grad: string, shape: readonly number[]): string {
  const gShape = b.shape(grad);
  if (gShape.join() === shape.join()) return grad;
  const offset = gShape.length - shape.length;
  const axes: number[] = [];
  gShape.forEach((d, i) => {
    if (i < offset || (shape[i - offset] === 1 && d !== 1)) axes.push(i);
  });
  const summed = axes.length ? b.op('ReduceSum', [grad, b.int64(axes, 'axes')], { keepdims: attr.int(1) }) : grad;
  return b.op('Reshape', [summed, b.int64([...shape], 'shape')]);
}

export function reshapeTo(b: GraphBuilder, x: string, shape: readonly number[]): string {
  if (b.shape(x).join() === shape.join()) return x;
  return b.op('Reshape', [x, b.int64([...shape], 'shape')]);
}

/** Sum of gradient contributions. */
export function sumAll(b: GraphBuilder, terms: readonly string[]): string {
  if (terms.length === 1) return terms[0];
  if (terms.length === 2) return b.op('Add', terms);
  return b.op('Sum', terms);
}

/** A float mask 1[condition] of `like`'s dtype. */
export function maskOf(b: GraphBuilder, condition: string): string {
  return b.op('Cast', [condition], { to: attr.int(1) });
}

/** [B, depth] float one-hot rows e_{indices_b} of the [B] int64 `indices` (all zero where out of range). */
export function oneHotRows(b: GraphBuilder, indices: string, depth: number, hint: string): string {
  const ids = b.constant(makeTensor('int64', [1, depth], [...Array(depth).keys()]), `${hint}_ids`);
  return b.op('Cast', [b.op('Equal', [b.op('Unsqueeze', [indices, b.int64([1])]), ids])], { to: attr.int(1) }, hint);
}

/**
 * weight·v + bias, the same on every channel of an [N, C, …] tensor, as a depthwise 1×1 Conv: the form
 * onnxruntime runs in its blocked NCHWc layout (and fuses with a following Clip), where a Mul/Add by a
 * scalar would leave that layout.
 */
export function depthwiseAffine(b: GraphBuilder, v: string, weight: number, bias = 0, hint = 'affine'): string {
  const shape = b.shape(v);
  const channels = shape[1];
  const ones = shape.slice(2).map(() => 1);
  const inputs = [v, b.constant(makeTensor('float32', [channels, 1, ...ones], new Array(channels).fill(weight)), `${hint}_weight`)];
  if (bias !== 0) inputs.push(b.constant(makeTensor('float32', [channels], new Array(channels).fill(bias)), `${hint}_bias`));
  return b.op('Conv', inputs, { group: attr.int(channels), kernel_shape: attr.ints(ones) }, hint);
}
