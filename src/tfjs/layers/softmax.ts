/**
 * Softmax layer over config `axis` (default −1, the channel axis of a map: IR axis 1). A Softmax over
 * the features of [N, F] held in NCHW flatten order needs no reordering (the sum is over all of F).
 */
import { attr } from '../../ir/graph.js';
import { irAxis, kerasOrdered, plain } from './layout.js';
import type { LayerConverter } from './types.js';

export const softmax: LayerConverter = {
  arity: [1, 1],
  convert(ctx, [x]) {
    const raw = ctx.config.raw.axis ?? -1;
    const axis = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
    if (typeof axis !== 'number' || !Number.isInteger(axis)) ctx.fail(`config 'axis' should be one integer, got ${JSON.stringify(raw)}`);
    const rank = x.shape.length;
    const a = irAxis(ctx, axis, rank);
    if (x.nchwFlat && a !== rank - 1) {
      return plain(ctx.b, ctx.op('Softmax', [kerasOrdered(ctx, x)], { axis: attr.int(a) }, 'softmax'));
    }
    return { ...x, value: ctx.op('Softmax', [x.value], { axis: attr.int(a) }, 'softmax') };
  },
};
