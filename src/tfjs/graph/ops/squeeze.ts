/**
 * Squeeze (squeeze_dims, empty = every size-1 axis). On an NCHW value the axes map to NCHW axes and the
 * result is plain when the kept axes keep their order (e.g. [N,1,1,C] → [N,C]); else it squeezes the
 * NHWC form.
 */
import { getInts } from '../attrs.js';
import { NHWC_AXIS_IN_NCHW, dropKeepsOrder, normaliseAxes } from '../layout.js';
import { type TfOp, floatType } from './op.js';

export const squeeze: TfOp = {
  check: (node) => floatType(node),
  convert(ctx, node) {
    const x = ctx.input(node, 0);
    const dims = ctx.tfShape(x);
    const raw = getInts(node, 'squeeze_dims', getInts(node, 'axis', []));
    const axes = raw.length ? normaliseAxes(raw, dims.length) : dims.flatMap((d, i) => (d === 1 ? [i] : []));
    if (!axes || axes.some((a) => dims[a] !== 1)) throw ctx.fail(node, `cannot squeeze axes [${raw}] of [${dims}]`);
    const unique = [...new Set(axes)].sort((a, b) => a - b);
    if (unique.length === 0) return ctx.set(node, x);
    if (x.layout === 'nchw' && dropKeepsOrder(unique)) {
      const nchwAxes = unique.map((a) => NHWC_AXIS_IN_NCHW[a]).sort((a, b) => a - b);
      return ctx.set(node, { name: ctx.op(node, 'Squeeze', [x.name, ctx.b.int64(nchwAxes)]), layout: 'plain' });
    }
    ctx.set(node, { name: ctx.op(node, 'Squeeze', [ctx.plain(x), ctx.b.int64(unique)]), layout: 'plain' });
  },
};
