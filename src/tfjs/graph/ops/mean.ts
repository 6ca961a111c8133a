/**
 * Mean over constant axes (reduction_indices, scalar or list; keep_dims default false).
 * On an NCHW value the TF axes map to NCHW axes; the spatial mean [1,2] becomes GlobalAveragePool (with
 * keep_dims) or GlobalAveragePool + Squeeze, the forms static Grad-CAM recognises. Other reductions are
 * ReduceMean; without keep_dims the NCHW result is the TF result when the kept axes keep their order,
 * else the reduction runs on the NHWC form.
 */
import { attr } from '../../../ir/graph.js';
import { getBool } from '../attrs.js';
import { NHWC_AXIS_IN_NCHW, dropKeepsOrder, normaliseAxes } from '../layout.js';
import { type TfOp, floatType } from './op.js';

export const mean: TfOp = {
  check: (node) => floatType(node),
  convert(ctx, node) {
    const x = ctx.input(node, 0);
    const dims = ctx.tfShape(x);
    const raw = ctx.ints(node, 1, 'reduction_indices');
    const axes = normaliseAxes(raw, dims.length);
    if (!axes) throw ctx.fail(node, `axes [${raw}] out of range for [${dims}]`);
    const unique = [...new Set(axes)].sort((a, b) => a - b);
    const keep = getBool(node, 'keep_dims', false);
    if (unique.length === 0) return ctx.set(node, x); // TF reduces over no axes; ONNX would reduce all
    if (x.layout === 'nchw') {
      const nchwAxes = unique.map((a) => NHWC_AXIS_IN_NCHW[a]).sort((a, b) => a - b);
      if (nchwAxes.join() === '2,3') {
        const pooled = ctx.op(node, 'GlobalAveragePool', [x.name], {}, keep ? undefined : 'pool');
        if (keep) return ctx.set(node, { name: pooled, layout: 'nchw' });
        return ctx.set(node, { name: ctx.op(node, 'Squeeze', [pooled, ctx.b.int64([2, 3])]), layout: 'plain' });
      }
      if (keep || dropKeepsOrder(unique)) {
        const y = ctx.op(node, 'ReduceMean', [x.name], { axes: attr.ints(nchwAxes), keepdims: attr.int(keep ? 1 : 0) });
        return ctx.set(node, { name: y, layout: keep ? 'nchw' : 'plain' });
      }
    }
    const y = ctx.op(node, 'ReduceMean', [ctx.plain(x)], { axes: attr.ints(unique), keepdims: attr.int(keep ? 1 : 0) });
    ctx.set(node, { name: y, layout: 'plain' });
  },
};
