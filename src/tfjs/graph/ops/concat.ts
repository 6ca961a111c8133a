/**
 * ConcatV2 (N values, then the constant axis): on NCHW when any value is NCHW and all are 4-D (the TF
 * axis mapped, e.g. channels 3 → 1), else on the plain forms.
 */
import { attr } from '../../../ir/graph.js';
import { dataInputs } from '../context.js';
import { NHWC_AXIS_IN_NCHW, normaliseAxes } from '../layout.js';
import { type TfOp, floatType } from './op.js';

export const concat: TfOp = {
  check: (node) => floatType(node),
  convert(ctx, node) {
    const n = dataInputs(node).length - 1;
    const values = Array.from({ length: n }, (_, i) => ctx.input(node, i));
    const rank = ctx.tfShape(values[0]).length;
    const raw = ctx.ints(node, n, 'axis');
    const axis = normaliseAxes(raw, rank);
    if (raw.length !== 1 || !axis) throw ctx.fail(node, `axis [${raw}] is not one axis of a rank-${rank} tensor`);
    if (rank === 4 && values.some((v) => v.layout === 'nchw')) {
      const inputs = values.map((v) => ctx.nchw(v, node));
      return ctx.set(node, { name: ctx.op(node, 'Concat', inputs, { axis: attr.int(NHWC_AXIS_IN_NCHW[axis[0]]) }), layout: 'nchw' });
    }
    ctx.set(node, { name: ctx.op(node, 'Concat', values.map((v) => ctx.plain(v)), { axis: attr.int(axis[0]) }), layout: 'plain' });
  },
};
