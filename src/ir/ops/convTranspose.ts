/**
 * ConvTranspose: X [N,C,in…], W [C, M/group, k…] → Y [N,M,out…] with
 * out = s·(in−1) + output_padding + (k−1)·d + 1 − pad_begin − pad_end (explicit pads only).
 */
import { getInt, getInts, getString } from '../graph.js';
import { type OpSchema, input, need } from './schema.js';

export const ConvTranspose: OpSchema = {
  arity: [2, 3],
  infer(ctx) {
    const x = input(ctx, 0);
    const w = input(ctx, 1);
    const group = getInt(ctx.node, 'group', 1);
    const n = x.shape.length - 2;
    need(n >= 1 && w.shape.length === x.shape.length, 'X and W must have the same rank ≥ 3');
    need(x.shape[1] === w.shape[0], `X has ${x.shape[1]} channels but W has ${w.shape[0]}`);
    need(!ctx.node.attrs.output_shape, 'ConvTranspose output_shape is not supported; give pads and output_padding');
    const kernel = getInts(ctx.node, 'kernel_shape', w.shape.slice(2));
    const strides = getInts(ctx.node, 'strides', new Array(n).fill(1));
    const dilations = getInts(ctx.node, 'dilations', new Array(n).fill(1));
    const outputPadding = getInts(ctx.node, 'output_padding', new Array(n).fill(0));
    outputPadding.forEach((p, i) => need(p < strides[i], `output_padding ${p} must be smaller than stride ${strides[i]}`));
    const full = x.shape.slice(2).map((size, i) => strides[i] * (size - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1);
    const autoPad = getString(ctx.node, 'auto_pad', 'NOTSET');
    // SAME_*: total pad = max(0, full − in·s), so the output is in·s; VALID/NOTSET: explicit pads.
    const pads = autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER'
      ? x.shape.slice(2).map((size, i) => Math.max(0, full[i] - size * strides[i])).flatMap((total) => [total]).reduce<number[]>(
        (acc, total, i, all) => {
          const small = Math.floor(total / 2);
          acc[i] = autoPad === 'SAME_UPPER' ? small : total - small;
          acc[i + all.length] = total - acc[i];
          return acc;
        }, new Array(2 * n).fill(0))
      : getInts(ctx.node, 'pads', new Array(2 * n).fill(0));
    const spatial = full.map((f, i) => f - pads[i] - pads[i + n]);
    need(spatial.every((s) => s > 0), `output size [${spatial}] is not positive`);
    return [{ dtype: x.dtype, shape: [x.shape[0], w.shape[1] * group, ...spatial] }];
  },
};
