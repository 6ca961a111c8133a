/**
 * Pad / PadV2 (constant mode): paddings [rank, 2] = (before, after) per TF axis; PadV2's scalar
 * constant_values. ONNX pads are [begins…, ends…], reordered to NCHW for an NCHW value.
 */
import { scalarFloat } from '../../../ir/tensor.js';
import { NHWC_TO_NCHW } from '../layout.js';
import { type TfOp, floatType } from './op.js';

export const pad: TfOp = {
  check: (node) => floatType(node),
  convert(ctx, node) {
    const x = ctx.input(node, 0);
    const dims = ctx.tfShape(x);
    const p = ctx.ints(node, 1, 'paddings');
    if (p.length !== 2 * dims.length || p.some((v) => v < 0)) throw ctx.fail(node, `paddings [${p}] do not fit [${dims}] (rank × 2, non-negative)`);
    const before = dims.map((_, a) => p[2 * a]);
    const after = dims.map((_, a) => p[2 * a + 1]);
    const order = x.layout === 'nchw' ? [...NHWC_TO_NCHW] : dims.map((_, a) => a);
    const pads = [...order.map((a) => before[a]), ...order.map((a) => after[a])];
    const inputs = [x.name, ctx.b.int64(pads)];
    if (node.op === 'PadV2') {
      const value = ctx.constantOf(ctx.input(node, 2));
      if (!value || value.data.length !== 1) throw ctx.fail(node, 'constant_values must be a constant scalar');
      inputs.push(ctx.constant(scalarFloat(Number(value.data[0])), `${node.name}/value`));
    }
    ctx.set(node, { name: ctx.op(node, 'Pad', inputs), layout: x.layout });
  },
};
