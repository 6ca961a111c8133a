/**
 * MaxPool / AvgPool (NHWC, ksize and strides as 4-vectors, padding SAME or VALID) as ONNX MaxPool /
 * AveragePool on the NCHW form with explicit pads. TF ignores the padding in both: a padded position
 * never wins the max, and the average divides by the number of real inputs in the window, which is
 * ONNX's count_include_pad = 0.
 */
import { attr } from '../../../ir/graph.js';
import type { GraphImport } from '../context.js';
import type { TfNodeDef } from '../types.js';
import { type TfOp, floatType, hw, nhwc, padding, spatialVector, tfPads } from './op.js';

function convert(ctx: GraphImport, node: TfNodeDef, op: 'MaxPool' | 'AveragePool'): void {
  const x = ctx.nchw(ctx.input(node, 0), node);
  const [, , height, width] = ctx.b.shape(x);
  const kernel = hw(node, 'ksize');
  const strides = hw(node, 'strides');
  const pads = tfPads(node, [height, width], kernel, strides, [1, 1]);
  const y = ctx.op(node, op, [x], {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(strides),
    pads: attr.ints(pads),
    ...(op === 'AveragePool' ? { count_include_pad: attr.int(0) } : {}),
  });
  ctx.set(node, { name: y, layout: 'nchw' });
}

const check = (node: TfNodeDef): string[] => [
  ...floatType(node),
  ...nhwc(node),
  ...spatialVector(node, 'ksize'),
  ...spatialVector(node, 'strides'),
  ...padding(node, ['SAME', 'VALID']),
];

export const maxPool: TfOp = { check, convert: (ctx, node) => convert(ctx, node, 'MaxPool') };
export const avgPool: TfOp = { check, convert: (ctx, node) => convert(ctx, node, 'AveragePool') };
