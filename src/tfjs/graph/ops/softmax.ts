/** Softmax over the last TF axis: ONNX Softmax(axis = −1), or axis 1 (the channel) on an NCHW value. */
import { attr } from '../../../ir/graph.js';
import { type TfOp, floatType } from './op.js';

export const softmax: TfOp = {
  check: (node) => floatType(node),
  convert(ctx, node) {
    const x = ctx.input(node, 0);
    const axis = x.layout === 'nchw' ? 1 : -1;
    ctx.set(node, { name: ctx.op(node, 'Softmax', [x.name], { axis: attr.int(axis) }), layout: x.layout });
  },
};
