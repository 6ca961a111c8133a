/**
 * Reshape to a constant shape (one −1 inferred), always producing a plain value. An NCHW input is
 * reshaped directly when its NCHW and NHWC element orders agree (C = 1 or H·W = 1, e.g. the pooled
 * [N,1,1,C] → [N,C]), else from its NHWC form.
 */
import { numel } from '../../../ir/tensor.js';
import { sameMemoryOrder } from '../layout.js';
import { type TfOp, floatType } from './op.js';

export const reshape: TfOp = {
  check: (node) => floatType(node),
  convert(ctx, node) {
    const x = ctx.input(node, 0);
    const dims = ctx.tfShape(x);
    const target = ctx.ints(node, 1, 'shape');
    const known = target.filter((d) => d !== -1);
    const total = numel(dims);
    if (target.filter((d) => d === -1).length > 1 || known.some((d) => d < 1)) {
      throw ctx.fail(node, `shape [${target}] is not a static shape with at most one −1 (input [${dims}])`);
    }
    const resolved = target.map((d) => (d === -1 ? total / numel(known) : d));
    if (numel(resolved) !== total || resolved.some((d) => !Number.isInteger(d))) {
      throw ctx.fail(node, `cannot reshape [${dims}] (${total} elements) to [${target}]`);
    }
    const input = x.layout === 'nchw' && sameMemoryOrder(dims) ? x.name : ctx.plain(x);
    ctx.set(node, { name: ctx.op(node, 'Reshape', [input, ctx.b.int64(resolved)]), layout: 'plain' });
  },
};
