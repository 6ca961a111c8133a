/**
 * Graph sources and pass-throughs:
 *   Placeholder: a graph input of its static shape (an unknown first dimension becomes the batch); a
 *     4-D (NHWC) input is transposed to NCHW once, right after the input, for every consumer.
 *   Const: its value is the weight of the same name in weightsManifest (tfjs-converter moves every
 *     constant there).
 *   Identity: the input itself.
 */
import { getShape, getType } from '../attrs.js';
import type { TfOp } from './op.js';

export const placeholder: TfOp = {
  check(node) {
    const dtype = getType(node, 'dtype');
    return dtype === undefined || dtype === 'DT_FLOAT' ? [] : [`dtype ${dtype} (heatlens imports float32 image inputs)`];
  },
  convert(ctx, node) {
    const shape = getShape(node, 'shape');
    if (!shape) throw ctx.fail(node, 'the input has no shape (unknown rank); heatlens compiles static shapes');
    const dims = shape.map((d, axis) => {
      if (d > 0) return d;
      if (axis === 0) return ctx.batch;
      throw ctx.fail(node, `input dimension ${axis} of [${shape}] is unknown; heatlens compiles static shapes`);
    });
    const name = ctx.b.fresh(node.name);
    ctx.graph.inputs.push(name);
    ctx.graph.values.set(name, { dtype: 'float32', shape: dims });
    const v = { name, layout: 'plain' as const };
    ctx.set(node, dims.length === 4 ? { name: ctx.nchw(v, node), layout: 'nchw' } : v);
  },
};

export const constant: TfOp = {
  check(node) {
    const dtype = getType(node, 'dtype');
    return dtype === undefined || dtype === 'DT_FLOAT' || dtype === 'DT_INT32' ? [] : [`dtype ${dtype} (float32 and int32 constants are supported)`];
  },
  convert(ctx, node) {
    const value = ctx.weights.get(node.name);
    if (!value) throw ctx.fail(node, `no weight named '${node.name}' in weightsManifest`);
    ctx.set(node, { name: ctx.constant(value, node.name), layout: 'plain' });
  },
};

export const identity: TfOp = {
  convert(ctx, node) {
    ctx.set(node, ctx.input(node, 0));
  },
};
